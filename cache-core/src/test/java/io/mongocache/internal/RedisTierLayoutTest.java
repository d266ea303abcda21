package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.DocumentId;
import io.mongocache.invalidation.Invalidation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * The pure rules of the shared tier's token layout, without Redis: an entry is {@code [n][its n tokens][payload]}
 * and is served only while every token it carries is current; a write replaces the tokens of what it made stale;
 * this node skips Redis for what its asynchronous sender still owes it. Key names and the commands themselves are
 * {@code RedisLayoutIT}'s (invalidation module), against a real Redis.
 */
class RedisTierLayoutTest {
    private static final String NS = "db.c";
    private static final DocumentId ONE = DocumentId.of(new BsonInt32(1));
    private static final DocumentId TWO = DocumentId.of(new BsonInt32(2));

    private static byte[] token(int seed) {
        byte[] token = new byte[8];
        for (int i = 0; i < token.length; i++) {
            token[i] = (byte) (seed * 31 + i);
        }
        return token;
    }

    /** An entry as the install writes it: the token count, the tokens in order, then the payload. */
    private static byte[] entry(byte[][] tokens, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tokens.length);
        for (byte[] t : tokens) {
            out.writeBytes(t);
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static CacheKey key(Dependency... dependencies) {
        return new KeyBuilder(NS, "find", Document.class, new BsonDocument("mode", new BsonString("primary")),
                new BsonDocument()).string("k", String.valueOf(dependencies.length)).build(dependencies);
    }

    @Test
    void shouldServeAnEntryOnlyWhileEveryTokenItCarriesIsCurrent() {
        byte[][] tokens = {token(0), token(1), token(2)}; // the era, then the key's dependencies
        byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
        byte[] stored = entry(tokens, payload);
        assertArrayEquals(payload, RedisTier.currentPayload(stored, tokens));
        for (int replaced = 0; replaced < tokens.length; replaced++) {
            byte[][] now = tokens.clone();
            now[replaced] = token(100 + replaced);
            assertNull(RedisTier.currentPayload(stored, now), "token " + replaced + " was replaced by a write");
        }
        assertArrayEquals(new byte[0], RedisTier.currentPayload(entry(tokens, new byte[0]), tokens),
                "an empty payload is a payload");
    }

    @Test
    void shouldNotServeAnEntryStampedWithOtherDependenciesOrCutShort() {
        byte[][] tokens = {token(0), token(1), token(2)};
        byte[] stored = entry(tokens, new byte[] {42});
        assertNull(RedisTier.currentPayload(stored, new byte[][] {token(0), token(1)}),
                "a different token count is a different stamp");
        assertNull(RedisTier.currentPayload(java.util.Arrays.copyOf(stored, 1 + 2 * 8), tokens),
                "shorter than its own token header");
        assertNull(RedisTier.currentPayload(new byte[0], tokens), "empty");
    }

    @Test
    void shouldReplaceTheNamespaceTokenForANamespaceWrite() {
        assertEquals(List.of(Dependency.namespaceWide(NS)), Dependency.staleAfter(Invalidation.namespace(NS)));
    }

    @Test
    void shouldReplaceTheAnyDocumentTokenAndEachDocumentsTokenForAWriteById() {
        assertEquals(List.of(Dependency.anyDocument(NS), Dependency.document(NS, ONE), Dependency.document(NS, TWO)),
                Dependency.staleAfter(Invalidation.documents(NS, List.of(ONE, TWO))));
    }

    @Test
    void shouldSkipRedisOnlyForWhatAPendingWriteMadeStale() {
        RedisTier.AsyncPending pending = new RedisTier.AsyncPending();
        CacheKey pointOne = key(Dependency.points(NS, List.of(new BsonInt32(1))));
        CacheKey pointTwo = key(Dependency.points(NS, List.of(new BsonInt32(2))));
        CacheKey query = key(Dependency.wholeNamespace(NS));
        CacheKey elsewhere = key(Dependency.wholeNamespace("db.other"));
        assertFalse(pending.blocks(query), "nothing pending");

        Invalidation writeOfOne = Invalidation.documents(NS, List.of(ONE));
        pending.add(writeOfOne);
        assertTrue(pending.blocks(pointOne), "a point read of the written document");
        assertFalse(pending.blocks(pointTwo), "a point read of another document does not depend on it");
        assertTrue(pending.blocks(query), "every other read depends on the any-document token");
        assertFalse(pending.blocks(elsewhere));

        pending.add(writeOfOne);
        pending.remove(writeOfOne);
        assertTrue(pending.blocks(pointOne), "one of two writes of the document is still pending");
        pending.remove(writeOfOne);
        assertFalse(pending.blocks(pointOne));
        assertFalse(pending.blocks(query));

        pending.add(Invalidation.namespace(NS));
        assertTrue(pending.blocks(pointTwo), "a namespace write makes every read of it stale");
        assertFalse(pending.blocks(elsewhere));
        pending.remove(Invalidation.namespace(NS));

        pending.add(Invalidation.everything());
        assertTrue(pending.blocks(elsewhere), "retiring everything blocks every key");
        pending.remove(Invalidation.everything());
        assertFalse(pending.blocks(elsewhere));
    }
}

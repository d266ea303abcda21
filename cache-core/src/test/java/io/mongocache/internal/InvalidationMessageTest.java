package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mongocache.invalidation.DocumentId;
import io.mongocache.invalidation.Invalidation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

/**
 * The body of an invalidation message as {@link InvalidationChannel} documents it — {@code [kind][namespace length,
 * 4][namespace][id count, 4]([id length, 4][canonical id])*} after the 35-byte header — read by its decoder. The
 * rules that act on the header (gaps, epochs, trust) are {@link ChannelPeersTest}'s.
 */
class InvalidationMessageTest {
    private static final int HEADER = 3 + 16 + 8 + 8;

    private static ByteBuffer message(Invalidation invalidation) {
        byte[] ns = invalidation.namespace().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(HEADER + 1 + 4 + ns.length + 4 + invalidation.ids().stream()
                .mapToInt(id -> 4 + id.length()).sum());
        out.position(HEADER); // what the header holds is read by the channel before the body
        out.put((byte) invalidation.kind().ordinal()).putInt(ns.length).put(ns).putInt(invalidation.ids().size());
        for (DocumentId id : invalidation.ids()) {
            byte[] canonical = new byte[id.length()];
            id.copyTo(canonical, 0);
            out.putInt(canonical.length).put(canonical);
        }
        return out.position(HEADER);
    }

    @Test
    void shouldReadEveryKindOfInvalidationAsDocumented() {
        List<Invalidation> all = List.of(Invalidation.namespace("shop.orders"), Invalidation.everything(),
                Invalidation.documents("shop.orders", List.of(DocumentId.of(new BsonInt32(7)),
                        DocumentId.of(new BsonString("ö-id")))),
                Invalidation.namespace("db.ünïcode"));
        for (Invalidation invalidation : all) {
            assertEquals(invalidation, InvalidationChannel.decode(message(invalidation)));
        }
    }

    @Test
    void shouldRefuseATruncatedMessage() {
        ByteBuffer whole = message(Invalidation.documents("shop.orders", List.of(DocumentId.of(new BsonInt32(7)))));
        ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(whole.array(), whole.capacity() - 1)).position(HEADER);
        assertThrows(IllegalArgumentException.class, () -> InvalidationChannel.decode(cut),
                "a receiver flushes on an unreadable message rather than applying part of it");
    }
}

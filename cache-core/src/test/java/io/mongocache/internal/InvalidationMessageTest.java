package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    @Test
    void shouldUnpackABundleIntoItsMessagesInOrder() {
        List<byte[]> messages = List.of(new byte[] {2, 'D', 1, 9}, new byte[0], new byte[] {2, 'H'});
        byte[] bundle = InvalidationChannel.bundle(messages);
        // As documented: [format 3][count, 4]([length, 4][message])*.
        ByteBuffer expected = ByteBuffer.allocate(1 + 4 + 3 * 4 + 4 + 0 + 2).put((byte) 3).putInt(3)
                .putInt(4).put(messages.get(0)).putInt(0).putInt(2).put(messages.get(2));
        assertArrayEquals(expected.array(), bundle);
        List<byte[]> unpacked = InvalidationChannel.unbundle(bundle);
        assertEquals(3, unpacked.size());
        for (int i = 0; i < messages.size(); i++) {
            assertArrayEquals(messages.get(i), unpacked.get(i), "message " + i);
        }
    }

    @Test
    void shouldTellAPlainMessageFromABundle() {
        byte[] plain = message(Invalidation.namespace("shop.orders")).array();
        plain[0] = 2;
        assertNull(InvalidationChannel.unbundle(plain), "a format-2 message is handled as it is");
        assertNull(InvalidationChannel.unbundle(new byte[0]));
    }

    @Test
    void shouldRefuseAMalformedBundleWhole() {
        byte[] bundle = InvalidationChannel.bundle(List.of(new byte[] {2, 'D'}, new byte[] {2, 'H', 0}));
        assertThrows(IllegalArgumentException.class,
                () -> InvalidationChannel.unbundle(Arrays.copyOf(bundle, bundle.length - 1)), "truncated");
        assertThrows(IllegalArgumentException.class,
                () -> InvalidationChannel.unbundle(Arrays.copyOf(bundle, bundle.length + 1)), "bytes after the last");
        byte[] negative = bundle.clone();
        ByteBuffer.wrap(negative).putInt(1, -1);
        assertThrows(IllegalArgumentException.class, () -> InvalidationChannel.unbundle(negative), "a negative count");
        byte[] tooMany = bundle.clone();
        ByteBuffer.wrap(tooMany).putInt(1, 3);
        assertThrows(IllegalArgumentException.class, () -> InvalidationChannel.unbundle(tooMany), "a count too high");
    }
}

package io.mongocache.internal;

import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCursor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bson.BsonBinaryReader;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.bson.codecs.DecoderContext;
import org.jspecify.annotations.Nullable;

/** Encoding of cached values: documents back to back, each with its BSON length prefix. */
final class Payloads {
    static final DecoderContext DECODE = DecoderContext.builder().build();
    static final byte[] EMPTY = new byte[0];

    private Payloads() {}

    /**
     * Drains {@code cursor} into one payload while it fits in {@code capBytes}; if it does not, returns what was
     * buffered plus the open cursor (with the document that overflowed pushed back in front of it).
     */
    static ReadResult drain(MongoCursor<RawBsonDocument> cursor, long capBytes) {
        Growable out = new Growable();
        boolean handedOver = false;
        try {
            while (cursor.hasNext()) {
                RawBsonDocument doc = cursor.next();
                ByteBuffer bytes = doc.getByteBuffer().asNIO();
                if ((long) out.size + bytes.remaining() > capBytes) {
                    handedOver = true;
                    return new ReadResult(out.toArray(), new PushbackCursor(doc, cursor), cursor.getServerAddress());
                }
                out.append(bytes);
            }
            return ReadResult.complete(out.toArray(), cursor.getServerAddress());
        } finally {
            if (!handedOver) {
                cursor.close();
            }
        }
    }

    /**
     * The decoder of raw documents that share the cached bytes instead of copying them: a hit with
     * {@code RawBsonDocument} as the result class costs no decoding. Safe because a {@code RawBsonDocument} is
     * immutable (only its byte buffer view could be written to, which the README warns against).
     */
    static final Decoder<RawBsonDocument> SHARED_RAW = new org.bson.codecs.RawBsonDocumentCodec();

    /** The decoder of a result class: {@link #SHARED_RAW} for raw documents, else the registry's codec. */
    @SuppressWarnings("unchecked")
    static <T> Decoder<T> decoderOf(Class<T> resultClass, org.bson.codecs.configuration.CodecRegistry registry) {
        return resultClass == RawBsonDocument.class ? (Decoder<T>) SHARED_RAW : registry.get(resultClass);
    }

    @SuppressWarnings("unchecked")
    static <T> T decode(byte[] payload, int offset, int length, Decoder<T> decoder) {
        if (decoder == SHARED_RAW) {
            return (T) new RawBsonDocument(payload, offset, length);
        }
        ByteBuffer slice = ByteBuffer.wrap(payload, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        try (BsonBinaryReader reader = new BsonBinaryReader(slice)) {
            return decoder.decode(reader, DECODE);
        }
    }

    static int documentLength(byte[] payload, int offset) {
        return (payload[offset] & 0xff) | (payload[offset + 1] & 0xff) << 8 | (payload[offset + 2] & 0xff) << 16
                | (payload[offset + 3] & 0xff) << 24;
    }

    /** How many documents the payload holds from {@code offset} on. */
    static int count(byte[] payload, int offset) {
        int n = 0;
        for (int off = offset; off < payload.length; off += documentLength(payload, off)) {
            n++;
        }
        return n;
    }

    static byte[] ofLong(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static long toLong(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong();
    }

    private static final class Growable {
        byte[] bytes = new byte[512];
        int size;

        void append(ByteBuffer src) {
            int n = src.remaining();
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
            src.get(bytes, size, n);
            size += n;
        }

        byte[] toArray() {
            return size == 0 ? EMPTY : Arrays.copyOf(bytes, size);
        }
    }

    /** A result produced elsewhere (a delegated read), as a cursor for {@link #drain}; no server address. */
    static final class ListCursor implements MongoCursor<RawBsonDocument> {
        private final java.util.List<RawBsonDocument> docs;
        private int next;

        ListCursor(java.util.List<RawBsonDocument> docs) {
            this.docs = docs;
        }

        @Override
        public void close() {
            next = docs.size();
        }

        @Override
        public boolean hasNext() {
            return next < docs.size();
        }

        @Override
        public RawBsonDocument next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return docs.get(next++);
        }

        @Override
        public int available() {
            return docs.size() - next;
        }

        @Override
        public @Nullable RawBsonDocument tryNext() {
            return hasNext() ? next() : null;
        }

        @Override
        public com.mongodb.@Nullable ServerCursor getServerCursor() {
            return null;
        }

        @Override
        @SuppressWarnings("NullAway") // no server: the read ran on a peer
        public ServerAddress getServerAddress() {
            return null;
        }
    }

    /** A cursor with one document pushed back in front of it. */
    static final class PushbackCursor implements MongoCursor<RawBsonDocument> {
        private @Nullable RawBsonDocument head;
        private final MongoCursor<RawBsonDocument> rest;

        PushbackCursor(RawBsonDocument head, MongoCursor<RawBsonDocument> rest) {
            this.head = head;
            this.rest = rest;
        }

        @Override
        public void close() {
            rest.close();
        }

        @Override
        public boolean hasNext() {
            return head != null || rest.hasNext();
        }

        @Override
        public RawBsonDocument next() {
            RawBsonDocument h = head;
            if (h != null) {
                head = null;
                return h;
            }
            return rest.next();
        }

        @Override
        public int available() {
            return (head != null ? 1 : 0) + rest.available();
        }

        @Override
        public @Nullable RawBsonDocument tryNext() {
            RawBsonDocument h = head;
            if (h != null) {
                head = null;
                return h;
            }
            return rest.tryNext();
        }

        @Override
        public com.mongodb.@Nullable ServerCursor getServerCursor() {
            return rest.getServerCursor();
        }

        @Override
        public ServerAddress getServerAddress() {
            return rest.getServerAddress();
        }
    }
}

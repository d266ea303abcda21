package io.mongocache.internal;

import com.mongodb.ServerAddress;
import com.mongodb.ServerCursor;
import com.mongodb.client.MongoCursor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.NoSuchElementException;
import org.bson.BsonBinaryReader;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.jspecify.annotations.Nullable;

/**
 * A cursor over a cached payload (and, for an over-large result, the open MongoDB cursor behind it). Every
 * {@code next()} decodes a fresh object from the bytes, so callers can never change what the cache holds.
 */
final class DecodingCursor<T> implements MongoCursor<T> {
    private static final ServerAddress UNKNOWN = new ServerAddress();

    private final byte[] payload;
    private final @Nullable MongoCursor<RawBsonDocument> tail;
    private final Decoder<T> decoder;
    private final @Nullable ServerAddress address;
    private int offset;

    DecodingCursor(ReadResult result, Decoder<T> decoder) {
        this.payload = result.payload();
        this.tail = result.tail();
        this.decoder = decoder;
        this.address = result.address();
    }

    @Override
    public boolean hasNext() {
        return offset < payload.length || (tail != null && tail.hasNext());
    }

    @Override
    public T next() {
        if (offset < payload.length) {
            int length = Payloads.documentLength(payload, offset);
            T value = Payloads.decode(payload, offset, length, decoder);
            offset += length;
            return value;
        }
        if (tail != null) {
            return decode(tail.next());
        }
        throw new NoSuchElementException();
    }

    private T decode(RawBsonDocument document) {
        ByteBuffer bytes = document.getByteBuffer().asNIO().order(ByteOrder.LITTLE_ENDIAN);
        try (BsonBinaryReader reader = new BsonBinaryReader(bytes)) {
            return decoder.decode(reader, Payloads.DECODE);
        }
    }

    @Override
    public int available() {
        return Payloads.count(payload, offset) + (tail != null ? tail.available() : 0);
    }

    @Override
    public @Nullable T tryNext() {
        if (offset < payload.length) {
            return next();
        }
        if (tail != null) {
            RawBsonDocument document = tail.tryNext();
            return document == null ? null : decode(document);
        }
        return null;
    }

    @Override
    public @Nullable ServerCursor getServerCursor() {
        return tail != null ? tail.getServerCursor() : null;
    }

    @Override
    public ServerAddress getServerAddress() {
        if (tail != null) {
            return tail.getServerAddress();
        }
        return address != null ? address : UNKNOWN;
    }

    @Override
    public void close() {
        offset = payload.length;
        if (tail != null) {
            tail.close();
        }
    }
}

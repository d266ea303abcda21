package io.mongocache.internal;

import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCursor;
import org.bson.RawBsonDocument;
import org.jspecify.annotations.Nullable;

/**
 * What a read produced: a payload of concatenated BSON documents, and — when the result was larger than
 * {@code maxResultBytes} — the still-open MongoDB cursor holding the rest, to be streamed, not buffered.
 *
 * @param payload the buffered documents, back to back, each with its own length prefix
 * @param tail the rest of an over-large result; null when the payload is the whole result
 * @param address the server that produced the result, when known
 */
record ReadResult(byte[] payload, @Nullable MongoCursor<RawBsonDocument> tail, @Nullable ServerAddress address) {

    static ReadResult complete(byte[] payload, @Nullable ServerAddress address) {
        return new ReadResult(payload, null, address);
    }

    boolean isComplete() {
        return tail == null;
    }
}

package io.mongocache.pooling;

import io.mongocache.exceptions.MongoCacheException;

/** Raised by every call on a {@link MongoPools} after {@code close()} or {@code closeNow()} began. */
public class MongoPoolsClosedException extends MongoCacheException {
    private static final long serialVersionUID = 1L;

    public MongoPoolsClosedException(String message) {
        super(message);
    }
}

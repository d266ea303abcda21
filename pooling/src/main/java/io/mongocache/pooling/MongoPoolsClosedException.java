package io.mongocache.pooling;

/** Raised by every call on a {@link MongoPools} after {@code close()} or {@code closeNow()} began. */
public class MongoPoolsClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MongoPoolsClosedException(String message) {
        super(message);
    }
}

package io.mongocache;

/** Raised when a closed {@link MongoCache} is asked to wrap a collection. */
public class MongoCacheClosedException extends MongoCacheException {
    private static final long serialVersionUID = 1L;

    public MongoCacheClosedException(String message) {
        super(message);
    }
}

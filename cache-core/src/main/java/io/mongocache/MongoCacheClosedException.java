package io.mongocache;

import io.mongocache.exceptions.MongoCacheException;

/**
 * Raised when a closed {@link MongoCache} is asked to wrap a collection, and by every call on a collection or
 * iterable it wrapped earlier: after {@code close()} a write through them would no longer invalidate other nodes.
 */
public class MongoCacheClosedException extends MongoCacheException {
    private static final long serialVersionUID = 1L;

    public MongoCacheClosedException(String message) {
        super(message);
    }
}

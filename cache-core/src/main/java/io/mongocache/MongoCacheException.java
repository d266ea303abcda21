package io.mongocache;

/**
 * Root of the exceptions this library raises itself. Faults of the cache's own infrastructure (Redis down or
 * slow) are never raised to callers of reads or writes; these exceptions report misuse (a closed cache) and
 * failures the caller asked to hear about.
 */
public class MongoCacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MongoCacheException(String message) {
        super(message);
    }

    public MongoCacheException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.mongocache.exceptions;

import org.jspecify.annotations.Nullable;

/**
 * Root of the exceptions this library raises itself, in every module: the cache's
 * ({@code MongoCacheConfigurationException}, {@code MongoCacheClosedException}), coordination's
 * ({@code DelegationException} and its subtypes) and pooling's ({@code MongoPoolsClosedException},
 * {@code ImportException}). Argument errors stay {@link IllegalArgumentException}. Faults of the cache's own infrastructure (Redis down or
 * slow) are never raised to callers of reads or writes; these exceptions report misuse (a closed cache) and
 * failures the caller asked to hear about.
 */
public class MongoCacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MongoCacheException(String message) {
        super(message);
    }

    public MongoCacheException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

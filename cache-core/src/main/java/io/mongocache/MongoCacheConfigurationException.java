package io.mongocache;

/**
 * A setting the cache's infrastructure refuses, seen while building: Redis rejected the credentials
 * ({@code WRONGPASS}, {@code NOAUTH}, {@code NOPERM}) or the database index of the URI. Unlike a Redis that is merely
 * unreachable (the cache then starts and serves from MongoDB until it answers), such a setting would never work.
 * The message carries the server's reason; it never shows a password.
 */
public class MongoCacheConfigurationException extends MongoCacheException {
    private static final long serialVersionUID = 1L;

    public MongoCacheConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}

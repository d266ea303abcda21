package io.mongocache;

import io.mongocache.exceptions.MongoCacheException;

/**
 * A configuration that cannot work, found at {@code build()} or {@code start()} (or, for {@code db(name)} without a
 * database router, at the call): a required part is missing, the deployment lacks what a setting needs (change
 * streams on a standalone {@code mongod}), or the cache's infrastructure refuses a setting: Redis rejected the credentials
 * ({@code WRONGPASS}, {@code NOAUTH}, {@code NOPERM}) or the database index of the URI. Unlike a Redis that is merely
 * unreachable (the cache then starts and serves from MongoDB until it answers), such a setting would never work.
 * The message carries the server's reason; it never shows a password.
 */
public class MongoCacheConfigurationException extends MongoCacheException {
    private static final long serialVersionUID = 1L;

    public MongoCacheConfigurationException(String message) {
        super(message);
    }

    public MongoCacheConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}

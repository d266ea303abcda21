package io.mongocache;

import io.mongocache.testing.TestRedis;

/** The contract with the local tier off: every hit comes from Redis. */
class RedisOnlyCacheIT extends CachedCollectionContract {
    @Override
    protected MongoCacheBuilder configure(MongoCacheBuilder builder) {
        return builder.redis(TestRedis.uri()).maxLocalBytes(0);
    }
}

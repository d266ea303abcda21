package io.mongocache;

import io.mongocache.testing.TestRedis;

/** The contract with L1 and a standalone Redis. */
class RedisCacheIT extends CachedCollectionContract {
    @Override
    protected MongoCacheBuilder configure(MongoCacheBuilder builder) {
        return builder.redis(TestRedis.uri());
    }
}

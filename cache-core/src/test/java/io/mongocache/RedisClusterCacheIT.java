package io.mongocache;

import io.mongocache.testing.TestRedis;

/** The contract with the local tier off and a 3-master Redis Cluster as the shared tier. */
class RedisClusterCacheIT extends CachedCollectionContract {
    @Override
    protected MongoCacheBuilder configure(MongoCacheBuilder builder) {
        return builder.redisCluster(TestRedis.cluster().uris().toArray(String[]::new)).maxLocalBytes(0)
                .redisTimeout(java.time.Duration.ofSeconds(2));
    }
}

/**
 * The cache: {@code MongoCache} and its builder, the cached collection and iterables ({@code io.mongocache}), and
 * what modules built on the cache use ({@code io.mongocache.spi}). Everything in {@code io.mongocache.internal}
 * stays inside: the proxies Byte Buddy generates are defined in that package, through its own lookup.
 */
module io.mongocache.core {
    requires transitive io.mongocache.invalidation;
    requires transitive org.mongodb.driver.sync.client;
    requires transitive lettuce.core; // CacheHooks.SharedRedis hands other modules the cache's ClientResources
    requires transitive io.mongocache.common; // MongoCacheException, the root of every exception here
    requires com.github.benmanes.caffeine;
    requires net.bytebuddy;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.mongocache;
    exports io.mongocache.spi;
}

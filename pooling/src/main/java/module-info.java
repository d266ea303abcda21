/**
 * {@code MongoPools}: many databases through one handle, separate pools with limits, lazy connect, idle
 * auto-close, statistics, hooks, health, transactions ({@code io.mongocache.pooling}), and bulk copy, export and
 * import ({@code io.mongocache.pooling.bulk}). Independent of the cache.
 */
module io.mongocache.pooling {
    requires transitive org.mongodb.driver.sync.client;
    requires transitive org.mongodb.driver.core;
    requires transitive org.mongodb.bson;
    requires transitive io.mongocache.common; // MongoCacheException, the root of pooling's exceptions
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.mongocache.pooling;
    exports io.mongocache.pooling.bulk;
}

/**
 * {@code Coordinator}: the lease-elected change-stream watcher, the node registry and delegated reads, for a
 * cache running on many nodes.
 */
module io.mongocache.coordination {
    requires transitive io.mongocache.core;
    requires transitive io.mongocache.pooling;
    requires io.mongocache.common;
    requires lettuce.core;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.mongocache.coordination;
}

/**
 * What MongoDB operations read and write, as pure analysis: filters to ids, writes and bulk models to
 * invalidations, pipelines to the namespaces they read and write, change events to invalidations. No I/O.
 */
module io.mongocache.invalidation {
    requires transitive org.mongodb.bson;
    requires transitive org.mongodb.driver.core;
    requires static org.jspecify;

    exports io.mongocache.invalidation;
}

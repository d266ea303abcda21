/**
 * Micrometer meters for the cache ({@code io.mongocache.micrometer.MongoCacheMetrics}), and for its
 * {@code Coordinator} and {@code MongoPools} when the application has them: the two modules are optional, and the
 * classes that read them are loaded only when they are handed over.
 */
module io.mongocache.micrometer {
    requires transitive io.mongocache.core;
    requires transitive micrometer.core; // MongoCacheMetrics is a MeterBinder, bound to the caller's registry
    // Optional: read only when the application has them (then MongoCacheMetrics.Builder takes them).
    requires static transitive io.mongocache.pooling;
    requires static transitive io.mongocache.coordination;
    requires io.mongocache.common;
    requires static org.jspecify;

    exports io.mongocache.micrometer;
}

/**
 * Plumbing shared by mongocache's own modules (argument checks, the database-name rule, credential masking,
 * thread factories, back-off). Not user API: exported only to the modules that use it.
 */
module io.mongocache.common {
    requires static org.jspecify;

    exports io.mongocache.common to
            io.mongocache.core,
            io.mongocache.pooling,
            io.mongocache.coordination,
            io.mongocache.micrometer;
}

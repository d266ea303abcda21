/**
 * Plumbing shared by mongocache's own modules (argument checks, the database-name rule, credential masking,
 * thread factories, back-off), exported only to the modules that use it; and the one piece of user API every
 * module needs, the root exception {@code io.mongocache.exceptions.MongoCacheException}, exported to all.
 */
module io.mongocache.common {
    requires static org.jspecify;

    exports io.mongocache.exceptions;
    exports io.mongocache.common to
            io.mongocache.core,
            io.mongocache.pooling,
            io.mongocache.coordination,
            io.mongocache.micrometer;
}

/**
 * mongocache public API: {@link io.mongocache.MongoCache} (built with {@link io.mongocache.MongoCacheBuilder})
 * wraps a driver {@code MongoCollection} into a {@link io.mongocache.CachedCollection} whose reads are served
 * from an in-process tier (Caffeine) and an optional shared tier (Redis), and whose writes invalidate both.
 *
 * <p>Everything outside this package (notably {@code io.mongocache.internal}) is implementation and promises
 * nothing.
 */
@NullMarked
package io.mongocache;

import org.jspecify.annotations.NullMarked;

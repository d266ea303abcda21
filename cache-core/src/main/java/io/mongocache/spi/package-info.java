/**
 * Service-provider interfaces between the cache and the modules that extend it; an application that only caches
 * needs none of them:
 *
 * <ul>
 *   <li>{@link io.mongocache.spi.OperationAnalyzer} — precise analysis of filters: which documents, by {@code _id},
 *       a filter can match, and a collection's default collation. Found with {@link java.util.ServiceLoader};
 *       {@code mongocache-invalidation} provides one. Without it every read and write is namespace-wide.
 *   <li>{@link io.mongocache.spi.ReadDelegate} — answers a cache miss somewhere other than this node's connection
 *       pool. Installed with {@code MongoCache.readDelegate(…)}; the coordination module's {@code Coordinator}
 *       installs one that runs misses on a peer while this node's pool is saturated.
 *   <li>{@link io.mongocache.spi.Invalidation} and {@link io.mongocache.spi.DocumentId} — what a write made stale,
 *       in the form nodes exchange, given to {@code MongoCache.invalidate(Invalidation)} or
 *       {@code MongoCache.invalidateShared(…)}; the coordination module's change-stream watcher turns writes by
 *       other programs into them.
 *   <li>{@link io.mongocache.spi.CollectionCollation} — what a node knows of a collection's default collation, as an
 *       analyzer learns it.
 * </ul>
 */
@NullMarked
package io.mongocache.spi;

import org.jspecify.annotations.NullMarked;

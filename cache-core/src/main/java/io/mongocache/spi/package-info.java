/**
 * Service-provider interfaces through which other modules extend the cache: {@link io.mongocache.spi.ReadDelegate}
 * (a miss answered elsewhere, e.g. by a peer through the coordination module's delegation), installed with
 * {@code MongoCache.readDelegate(…)}. What operations read and write is not pluggable: it is the pure analysis of
 * {@code io.mongocache.invalidation}, a required dependency.
 */
@NullMarked
package io.mongocache.spi;

import org.jspecify.annotations.NullMarked;

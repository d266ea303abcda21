/**
 * Service-provider interfaces through which other modules extend the cache: {@link io.mongocache.spi.CacheExtension}
 * (the cross-node invalidation channel, precise analysis of filters). Implementations are found with
 * {@link java.util.ServiceLoader} or given to {@code MongoCacheBuilder.extension(…)}.
 */
@NullMarked
package io.mongocache.spi;

import org.jspecify.annotations.NullMarked;

/**
 * What the cache offers modules built on it and what they may plug into it: {@link io.mongocache.spi.CacheHooks}
 * (shared invalidation, the read delegate, the cache's Redis settings and client resources, obtained with
 * {@code CacheHooks.of(cache)}), {@link io.mongocache.spi.ReadDelegate} (answering misses on a peer),
 * {@link io.mongocache.spi.Invalidation} (what a write made stale) and the analysis SPI. Applications need none of
 * it; the coordination module uses all of it.
 */
@NullMarked
package io.mongocache.spi;

import org.jspecify.annotations.NullMarked;

/**
 * What the cache offers modules built on it: {@link io.mongocache.spi.CacheHooks} (shared invalidation, the read
 * delegate, the cache's Redis settings and client resources, obtained with {@code CacheHooks.of(cache)}) and
 * {@link io.mongocache.spi.ReadDelegate} (a miss answered elsewhere, e.g. by a peer through the coordination
 * module's delegation). Applications need none of it. What operations read and write is not pluggable: it is the
 * pure analysis of {@code io.mongocache.invalidation}, a required dependency.
 */
@NullMarked
package io.mongocache.spi;

import org.jspecify.annotations.NullMarked;

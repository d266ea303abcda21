/**
 * Micrometer meters for mongocache, without Spring: {@link io.mongocache.micrometer.MongoCacheMetrics} is a
 * {@code MeterBinder} over a cache's statistics, and optionally its {@code Coordinator}'s and {@code MongoPools}'.
 * Every meter reads the live statistics when the registry reads it.
 */
@NullMarked
package io.mongocache.micrometer;

import org.jspecify.annotations.NullMarked;

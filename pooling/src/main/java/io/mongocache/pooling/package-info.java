/**
 * Connection management for many databases through one handle: {@link io.mongocache.pooling.MongoPools} routes a
 * database name to the shared primary pool or to a separate pool with its own limits, opens pools lazily or at
 * build time, closes idle ones, caps how many are open, and reports statistics, hooks, health and graceful
 * shutdown.
 */
@NullMarked
package io.mongocache.pooling;

import org.jspecify.annotations.NullMarked;

/**
 * Precise invalidation: pure analysis of which documents a filter can match ({@link
 * io.mongocache.invalidation.PreciseAnalyzer}), plugged into the cache through
 * {@link io.mongocache.spi.OperationAnalyzer}. With this module on the class path a write by {@code _id} no longer
 * evicts cached point reads of other documents.
 */
@NullMarked
package io.mongocache.invalidation;

import org.jspecify.annotations.NullMarked;

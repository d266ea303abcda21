/**
 * Whole-database bulk tasks: {@link io.mongocache.pooling.bulk.BulkTasks} copies, drops, exports
 * and imports databases in batches, with a JSON Lines format that keeps every BSON type exact and
 * imports that never leave a collection half loaded.
 */
@NullMarked
package io.mongocache.pooling.bulk;

import org.jspecify.annotations.NullMarked;

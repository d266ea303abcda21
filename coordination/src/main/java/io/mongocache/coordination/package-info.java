/** Lease leader election, the change-stream watcher and connection delegation. Not built yet. */
package io.mongocache.coordination;

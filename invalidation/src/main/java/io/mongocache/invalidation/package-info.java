/**
 * Precise, cluster-wide invalidation: what each operation reads and writes, version tokens, and the channel
 * between nodes. Not built yet: cache-core invalidates whole namespaces on the writing node and in Redis.
 */
package io.mongocache.invalidation;

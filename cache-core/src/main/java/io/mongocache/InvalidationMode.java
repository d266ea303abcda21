package io.mongocache;

/**
 * When a write through the cache tells Redis and the other nodes what it changed.
 *
 * <p>Both modes keep every promise: the writing node never serves data from before its own write once the write
 * returns, and every other node stops serving it within {@code maxStaleness}. They differ in what the write
 * waits for.
 */
public enum InvalidationMode {
    /**
     * The write returns after MongoDB applied it, its local invalidation, and Redis acknowledged the new version
     * tokens and the channel message (one pipelined round trip). When it returns, no node can load the old value
     * from Redis any more, and a node that reads after hearing the message sees the new one.
     */
    SYNC,
    /**
     * The write returns after MongoDB applied it and its local invalidation; the tokens and the channel message
     * are sent by a background sender in write order, batched with other writes. Until Redis took them, this
     * node does not use the shared entries they concern, and every node stops trusting its local tier if this
     * node's sends fall behind (its heartbeats stop), so the {@code maxStaleness} bound still holds.
     */
    ASYNC
}

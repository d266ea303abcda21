package io.mongocache.pooling;

/**
 * A pool opened or closed, as given to connect and disconnect hooks.
 *
 * @param database the database the pool serves ({@link MongoPools#PRIMARY} for the shared primary pool)
 * @param reason why it happened
 */
public record PoolEvent(String database, Reason reason) {
    /** Why a pool opened or closed. */
    public enum Reason {
        /** Opened at build time or by {@code pools().connect}. */
        EAGER,
        /** Opened by its first use. */
        FIRST_USE,
        /** Closed after being idle for its TTL. */
        IDLE,
        /** Closed to make room under the cap on open pools. */
        EVICTED,
        /** Closed by {@code close()}, {@code closeNow()} or {@code pools().disconnect}. */
        CLOSED
    }
}

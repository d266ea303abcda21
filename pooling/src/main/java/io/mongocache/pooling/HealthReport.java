package io.mongocache.pooling;

import java.util.List;

/**
 * The answer of every open pool to a ping.
 *
 * @param healthy whether every pool answered
 * @param pools one entry per open pool
 */
public record HealthReport(boolean healthy, List<PoolHealth> pools) {

    /**
     * One pool's answer.
     *
     * @param pool the database the pool serves, or {@link MongoPools#PRIMARY}
     * @param up whether it answered within the timeout
     * @param latencyMillis how long the ping took
     * @param error why it did not answer (credentials masked), or null
     */
    public record PoolHealth(String pool, boolean up, long latencyMillis, String error) {}

    /** As JSON. */
    public String toJson() {
        return PoolsStats.Json.write(this);
    }
}

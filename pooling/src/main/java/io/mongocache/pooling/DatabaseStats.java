package io.mongocache.pooling;

import java.util.List;

/**
 * The size of one database and its collections.
 *
 * @param database the database
 * @param dataSize bytes of data as the server reports them, or -1 if it does not
 * @param collections each collection with its estimated document count and size
 */
public record DatabaseStats(String database, long dataSize, List<CollectionStats> collections) {

    /**
     * @param name the collection
     * @param estimatedCount the estimated document count
     * @param size bytes of data, or -1 if the server does not report it
     */
    public record CollectionStats(String name, long estimatedCount, long size) {}

    /** As JSON. */
    public String toJson() {
        return PoolsStats.Json.write(this);
    }
}

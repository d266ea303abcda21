package io.mongocache.spi;

import java.util.List;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.jspecify.annotations.Nullable;

/**
 * Answers a cache miss somewhere other than this node's connection pool: the coordination module's delegation
 * runs it on a peer when this node's pool for the database is saturated. Installed with
 * {@code MongoCache.readDelegate(…)}.
 *
 * <p>Consulted only for misses whose options are all expressible here — {@code find} with filter, projection,
 * sort, skip and limit; {@code aggregate} with its pipeline alone; {@code countDocuments} with its filter alone (no
 * collation, hint, let, min/max, returnKey, showRecordId, partial results, count skip/limit) — on a collection
 * whose read preference is primary and whose read concern is the server's default. Returning null runs the read
 * here, exactly as without a delegate; so does throwing (the exception is logged, never surfaced to the reader).
 * Implementations must be thread-safe and must bound their own waiting.
 */
public interface ReadDelegate {

    /**
     * The result of a find, run elsewhere, or null to run it here.
     *
     * @param limit the number of documents at most, 0 for no limit
     */
    @Nullable List<RawBsonDocument> find(String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit);

    /** The result of an aggregation (never one that writes), run elsewhere, or null to run it here. */
    default @Nullable List<RawBsonDocument> aggregate(String database, String collection,
            List<BsonDocument> pipeline) {
        return null;
    }

    /** The count of the documents matching {@code filter}, taken elsewhere, or null to count here. */
    default @Nullable Long count(String database, String collection, BsonDocument filter) {
        return null;
    }
}

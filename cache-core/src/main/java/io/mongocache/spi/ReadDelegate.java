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
 * Implementations must be thread-safe and must bound their own waiting. The cache asks through the overloads with
 * {@code maxBytes} — its {@code maxResultBytes} — and expects a delegate to give up (return null or throw) rather than
 * receive more than that: such a result is not cached anyway, and runs here, streamed. The overloads without it are
 * for delegates that cannot bound what they receive; the cache then still refuses to cache an over-large result.
 */
public interface ReadDelegate {

    /**
     * The result of a find, run elsewhere, or null to run it here.
     *
     * @param limit the number of documents at most, 0 for no limit
     */
    @Nullable List<RawBsonDocument> find(String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit);

    /**
     * Like {@link #find(String, String, BsonDocument, BsonDocument, BsonDocument, int, int)}, giving up (null) once
     * the result would exceed {@code maxBytes} of BSON.
     */
    default @Nullable List<RawBsonDocument> find(String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit, long maxBytes) {
        return find(database, collection, filter, projection, sort, skip, limit);
    }

    /** Like {@link #aggregate(String, String, List)}, giving up (null) once the result would exceed {@code maxBytes}. */
    default @Nullable List<RawBsonDocument> aggregate(String database, String collection,
            List<BsonDocument> pipeline, long maxBytes) {
        return aggregate(database, collection, pipeline);
    }

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

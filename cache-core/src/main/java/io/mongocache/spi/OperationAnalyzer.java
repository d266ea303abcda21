package io.mongocache.spi;

import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Pure analysis of filters, for precise invalidation: which documents, by {@code _id}, a filter can match.
 * A read whose filter pins ids depends only on those documents (and on namespace-wide writes); a write whose
 * filter pins ids invalidates only point reads of those ids (and every non-point read of the namespace).
 *
 * <p>Found with {@link java.util.ServiceLoader}; without one, every read and write is namespace-wide, which is
 * always correct. Implementations must be thread-safe and must answer null whenever they are not sure.
 */
public interface OperationAnalyzer {

    /**
     * The {@code _id} values a filter restricts its matches to, or null if it may match other documents.
     * Called only for operations without a collation (a collation can make distinct string ids equal).
     */
    @Nullable List<BsonValue> pinnedIds(BsonDocument filter);
}

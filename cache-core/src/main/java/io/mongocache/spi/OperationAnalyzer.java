package io.mongocache.spi;

import java.util.List;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Pure analysis of filters, for precise invalidation: which documents, by {@code _id}, a filter can match.
 * A read whose filter pins ids depends only on those documents (and on namespace-wide writes); a write whose
 * filter pins ids invalidates only point reads of those ids (and every non-point read of the namespace).
 *
 * <p>Found with {@link java.util.ServiceLoader}; without one, every read and write is namespace-wide, which is
 * always correct. Implementations must be thread-safe and stateless (one instance serves every cache in the class
 * loader) and must answer null whenever they are not sure.
 */
public interface OperationAnalyzer {

    /**
     * The {@code _id} values a filter restricts its matches to under binary comparison of strings, or null if it
     * may match other documents.
     */
    @Nullable List<BsonValue> pinnedIds(BsonDocument filter);

    /**
     * The {@code _id} values a filter restricts its matches to under the collation the operation runs with, or
     * null if it may match other documents. A collation (the operation's own, else the collection's default) can
     * make distinct string ids equal ({@code "ABC"} and {@code "abc"} under a case-insensitive one), so a pinned
     * id holding a string is only pinned when binary comparison applies.
     *
     * <p>The default pins nothing unless the operation has no collation and the collection's default is known to
     * be simple; an implementation that knows which ids a collation can affect should be more precise.
     *
     * @param operationCollation the operation's own collation as sent to the server, or null if it has none
     * @param collectionDefault the collection's default collation, asked at most once and only when needed
     */
    default @Nullable List<BsonValue> pinnedIds(BsonDocument filter, @Nullable BsonDocument operationCollation,
            Supplier<CollectionCollation> collectionDefault) {
        List<BsonValue> ids = pinnedIds(filter);
        return ids != null && operationCollation == null
                && collectionDefault.get().kind() == CollectionCollation.Kind.SIMPLE ? ids : null;
    }

    /**
     * A collection's default collation, read from its {@code listIndexes} reply: the {@code _id} index always
     * uses the collection's default collation, and the server lists that collation on it (never
     * {@code {locale: "simple"}}). {@link CollectionCollation#UNKNOWN} when the reply does not say — no
     * {@code _id} index (a view, a time-series collection, a collection that does not exist yet).
     */
    default CollectionCollation defaultCollation(List<BsonDocument> indexes) {
        return CollectionCollation.UNKNOWN;
    }
}

package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.util.List;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;

/**
 * What a node knows of a collection's default collation — the collation every operation without one of its own
 * runs with. Learned from the server ({@link #fromIndexes}) and kept per namespace until the namespace is
 * invalidated as a whole (a drop or a re-creation always is).
 *
 * @param kind what is known
 * @param collation the default collation as the server lists it, for {@link Kind#COLLATED}; null otherwise
 */
@Immutable
public record CollectionCollation(Kind kind, @Nullable BsonDocument collation) {

    /** Not known (never asked, the answer failed, the collection does not exist yet, or it is a view). */
    public static final CollectionCollation UNKNOWN = new CollectionCollation(Kind.UNKNOWN, null);
    /** Known to compare strings by their binary value ({@code {locale: "simple"}} or no default collation). */
    public static final CollectionCollation SIMPLE = new CollectionCollation(Kind.SIMPLE, null);

    /** What is known of a default collation. */
    public enum Kind {
        /** Nothing: treat as if a collation applied. */
        UNKNOWN,
        /** Binary comparison: distinct string ids are distinct documents. */
        SIMPLE,
        /** A collation that may make distinct strings equal. */
        COLLATED
    }

    /**
     * @throws IllegalArgumentException if {@code kind} is null, or {@code collation} is given exactly when the
     *     kind is not {@link Kind#COLLATED}
     */
    public CollectionCollation {
        if (kind == null || (kind == Kind.COLLATED) != (collation != null)) {
            throw new IllegalArgumentException("collation must be given exactly for COLLATED, but " + kind
                    + " had " + collation);
        }
    }

    /**
     * A collection's default collation, read from its {@code listIndexes} reply: the {@code _id} index always uses
     * the collection's default collation, and the server lists that collation on it (never
     * {@code {locale: "simple"}}). {@link #UNKNOWN} when the reply does not say — no {@code _id} index (a view, a
     * time-series collection, a collection that does not exist yet).
     */
    public static CollectionCollation fromIndexes(List<BsonDocument> indexes) {
        return CollationRule.defaultCollation(indexes);
    }

    /** A known non-simple default collation. */
    public static CollectionCollation collated(BsonDocument collation) {
        return new CollectionCollation(Kind.COLLATED, collation);
    }
}

package io.mongocache.invalidation;

import com.mongodb.client.model.Collation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Which documents, by {@code _id}, a filter can match. A read whose filter pins ids depends only on those documents
 * (and on namespace-wide writes); a write whose filter pins ids changes only those documents. Pure: no I/O.
 *
 * <p>Pinned: a top-level {@code _id} condition that is a plain value ({@code {_id: 5}}, including an embedded
 * document compared whole), {@code {$eq: v}} or {@code {$in: [v…]}}. Other top-level conditions next to it only
 * narrow the match, so they do not matter; other operators next to {@code $eq}/{@code $in} inside the
 * {@code _id} condition narrow it too. Not pinned (null): no top-level {@code _id}; regular expressions (they
 * match patterns, not values); arrays (an {@code _id} is never an array, but an array query value matches
 * elements); a condition mixing operator and plain fields; anything else. Null answers are always safe: the
 * operation is then treated as touching the whole namespace.
 *
 * <p>Under a collation ({@link CollationRule}: the operation's own, else the collection's default) ids holding a
 * string are not pinned, since the collation can make distinct strings equal; other ids still are.
 */
public final class FilterAnalysis {
    private FilterAnalysis() {}

    /**
     * The {@code _id} values a filter restricts its matches to under binary comparison of strings, or null if it
     * may match other documents.
     */
    static @Nullable List<BsonValue> pinnedIds(BsonDocument filter) {
        BsonValue condition = filter.get("_id");
        if (condition == null) {
            return null;
        }
        if (!condition.isDocument()) {
            return plainValue(condition) ? List.of(condition) : null;
        }
        BsonDocument document = condition.asDocument();
        if (document.isEmpty() || !document.getFirstKey().startsWith("$")) {
            // An embedded document compared whole — unless some of its keys are operators (invalid mix).
            for (String key : document.keySet()) {
                if (key.startsWith("$")) {
                    return null;
                }
            }
            return List.of(condition);
        }
        List<BsonValue> pinned = null;
        for (Map.Entry<String, BsonValue> operator : document.entrySet()) {
            String name = operator.getKey();
            if (!name.startsWith("$")) {
                return null;
            }
            BsonValue operand = operator.getValue();
            if (name.equals("$eq")) {
                if (!plainValue(operand)) {
                    return null;
                }
                pinned = List.of(operand);
            } else if (name.equals("$in") && (pinned == null || pinned.size() > 1)) {
                if (!operand.isArray()) {
                    return null;
                }
                List<BsonValue> values = new ArrayList<>();
                for (BsonValue v : operand.asArray()) {
                    if (!plainValue(v)) {
                        return null;
                    }
                    values.add(v);
                }
                if (pinned == null || values.size() < pinned.size()) {
                    pinned = values;
                }
            }
        }
        return pinned;
    }

    /**
     * The {@code _id} values a filter restricts its matches to under the collation the operation runs with, or
     * null if it may match other documents: a pinned id holding a string stays pinned only under binary comparison
     * ({@link CollationRule}).
     *
     * @param operationCollation the operation's own collation, or null if it has none
     * @param collectionDefault the collection's default collation, asked at most once and only when needed
     */
    static @Nullable List<BsonValue> pinnedIds(BsonDocument filter, @Nullable Collation operationCollation,
            Supplier<CollectionCollation> collectionDefault) {
        List<BsonValue> ids = pinnedIds(filter);
        return ids == null ? null : CollationRule.pinnedUnder(ids,
                operationCollation == null ? null : operationCollation.asDocument(), collectionDefault);
    }

    /**
     * What a read with this filter depends on: its documents when the filter pins it to ids under the collation it
     * runs with ({@link #pinnedIds(BsonDocument, Collation, Supplier)}), else the whole namespace.
     */
    public static Dependency[] readDependencies(String namespace, BsonDocument filter,
            @Nullable Collation operationCollation, Supplier<CollectionCollation> collectionDefault) {
        List<BsonValue> ids = pinnedIds(filter, operationCollation, collectionDefault);
        return ids == null ? Dependency.wholeNamespace(namespace) : Dependency.points(namespace, ids);
    }

    /** A value that matches by equality only: not a regex, not an array, not a document holding operators. */
    static boolean plainValue(BsonValue value) {
        BsonType type = value.getBsonType();
        if (type == BsonType.REGULAR_EXPRESSION || type == BsonType.ARRAY) {
            return false;
        }
        if (type == BsonType.DOCUMENT) {
            for (String key : value.asDocument().keySet()) {
                if (key.startsWith("$")) {
                    return false;
                }
            }
        }
        return true;
    }
}

package io.mongocache.invalidation;

import com.mongodb.annotations.ThreadSafe;
import io.mongocache.spi.CollectionCollation;
import io.mongocache.spi.OperationAnalyzer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a filter pins its matches to known {@code _id} values.
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
@ThreadSafe
public final class PreciseAnalyzer implements OperationAnalyzer {

    @Override
    public @Nullable List<BsonValue> pinnedIds(BsonDocument filter) {
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

    @Override
    public @Nullable List<BsonValue> pinnedIds(BsonDocument filter, @Nullable BsonDocument operationCollation,
            Supplier<CollectionCollation> collectionDefault) {
        List<BsonValue> ids = pinnedIds(filter);
        return ids == null ? null : CollationRule.pinnedUnder(ids, operationCollation, collectionDefault);
    }

    @Override
    public CollectionCollation defaultCollation(List<BsonDocument> indexes) {
        return CollationRule.defaultCollation(indexes);
    }

    /** A value that matches by equality only: not a regex, not an array, not a document holding operators. */
    private static boolean plainValue(BsonValue value) {
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

package io.mongocache.invalidation;

import java.util.List;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Which string comparison an operation runs with, and which {@code _id} values it can affect — pure decisions on
 * the documents the server and the driver use.
 *
 * <p>An operation compares strings with its own collation if it has one, else with its collection's default
 * collation (given when the collection or view was created; it never changes until the collection is dropped).
 * Any collation but {@code {locale: "simple"}} may make distinct strings equal — {@code "ABC"} and {@code "abc"}
 * at strength 1 or 2, {@code "é"} and {@code "e"} at strength 1, differently normalised forms — so an {@code _id}
 * holding a string anywhere (a string or symbol, or one inside an embedded document) stops naming one document.
 * Numbers, ObjectIds, dates and the other types compare the same under every collation.
 *
 * <p>The default collation is read from the collection's {@code listIndexes} reply: its {@code _id_} index
 * always uses the default collation, and the server lists a non-simple one on it, e.g.
 * <pre>{@code
 * {v: 2, key: {_id: 1}, name: "_id_",
 *  collation: {locale: "en", caseLevel: false, caseFirst: "off", strength: 2, numericOrdering: false,
 *              alternate: "non-ignorable", maxVariable: "punct", normalization: false, backwards: false,
 *              version: "57.1"}}
 * }</pre>
 * No {@code _id_} index (a view, a time-series collection, a collection that does not exist yet, which may be
 * created with any collation) means unknown, which is treated as collated.
 */
final class CollationRule {
    private CollationRule() {}

    /** The collection's default collation from its {@code listIndexes} reply. */
    static CollectionCollation defaultCollation(List<BsonDocument> indexes) {
        for (BsonDocument index : indexes) {
            BsonValue name = index.get("name");
            if (name != null && name.isString() && name.asString().getValue().equals("_id_")) {
                BsonValue collation = index.get("collation");
                if (collation == null || (collation.isDocument() && simple(collation.asDocument()))) {
                    return CollectionCollation.SIMPLE;
                }
                return collation.isDocument() ? CollectionCollation.collated(collation.asDocument())
                        : CollectionCollation.UNKNOWN;
            }
        }
        return CollectionCollation.UNKNOWN;
    }

    /**
     * The ids if they still name one document each under the comparison the operation runs with, else null.
     * The collection's default is asked only when an id is sensitive and the operation has no collation.
     */
    static @Nullable List<BsonValue> pinnedUnder(List<BsonValue> ids, @Nullable BsonDocument operationCollation,
            Supplier<CollectionCollation> collectionDefault) {
        boolean sensitive = false;
        for (BsonValue id : ids) {
            if (collationSensitive(id)) {
                sensitive = true;
                break;
            }
        }
        if (!sensitive) {
            return ids;
        }
        if (operationCollation != null) {
            return simple(operationCollation) ? ids : null;
        }
        return collectionDefault.get().kind() == CollectionCollation.Kind.SIMPLE ? ids : null;
    }

    /** Whether a collation compares strings by their binary value. */
    static boolean simple(BsonDocument collation) {
        BsonValue locale = collation.get("locale");
        return locale != null && locale.isString() && locale.asString().getValue().equals("simple");
    }

    /** Whether a collation can make this id equal to a different one: it holds a string somewhere. */
    static boolean collationSensitive(BsonValue id) {
        switch (id.getBsonType()) {
            case STRING:
            case SYMBOL:
                return true;
            case DOCUMENT:
                for (BsonValue value : id.asDocument().values()) {
                    if (collationSensitive(value)) {
                        return true;
                    }
                }
                return false;
            case ARRAY:
                for (BsonValue value : id.asArray()) {
                    if (collationSensitive(value)) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }
}

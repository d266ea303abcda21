package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CollationStrength;
import java.util.List;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

/** Issue 10.3: the collation an operation runs with decides which string ids still name one document. */
class CollationRuleTest {
    /** The {@code listIndexes} reply of MongoDB 7.0 for {@code createCollection("c", {collation: {locale: "en", strength: 2}})}. */
    private static final String CASE_INSENSITIVE_INDEXES = "[{v: 2, key: {_id: 1}, name: '_id_', collation: {locale: 'en',"
            + " caseLevel: false, caseFirst: 'off', strength: 2, numericOrdering: false, alternate: 'non-ignorable',"
            + " maxVariable: 'punct', normalization: false, backwards: false, version: '57.1'}},"
            + " {v: 2, key: {name: 1}, name: 'name_1', collation: {locale: 'simple'}}]";
    private static final String PLAIN_INDEXES = "[{v: 2, key: {_id: 1}, name: '_id_'}, {v: 2, key: {name: 1}, name: 'name_1',"
            + " collation: {locale: 'fr', strength: 1}}]";

    private static List<BsonDocument> indexes(String json) {
        return BsonArray.parse(json).stream().map(BsonValue::asDocument).toList();
    }

    private static Supplier<CollectionCollation> known(CollectionCollation collation) {
        return () -> collation;
    }

    private static Supplier<CollectionCollation> notAsked() {
        return () -> fail("the collection's default must not be asked when it cannot change the answer");
    }

    private static List<BsonValue> pinned(String filter, String operationCollation,
            Supplier<CollectionCollation> collectionDefault) {
        return FilterAnalysis.pinnedIds(BsonDocument.parse(filter),
                operationCollation == null ? null : collation(BsonDocument.parse(operationCollation)), collectionDefault);
    }

    /** The driver's collation with the locale and strength of a collation document. */
    private static Collation collation(BsonDocument document) {
        Collation.Builder builder = Collation.builder().locale(document.getString("locale").getValue());
        if (document.containsKey("strength")) {
            builder.collationStrength(CollationStrength.fromInt(document.getInt32("strength").getValue()));
        }
        return builder.build();
    }

    @Test
    void shouldReadTheDefaultCollationFromTheIdIndexOfAListIndexesReply() {
        CollectionCollation learned = CollectionCollation.fromIndexes(indexes(CASE_INSENSITIVE_INDEXES));
        assertEquals(CollectionCollation.Kind.COLLATED, learned.kind());
        assertEquals(2, learned.collation().getInt32("strength").getValue());
        // Another index's collation says nothing about the collection's default.
        assertEquals(CollectionCollation.SIMPLE, CollectionCollation.fromIndexes(indexes(PLAIN_INDEXES)));
        assertEquals(CollectionCollation.SIMPLE,
                CollectionCollation.fromIndexes(indexes("[{v: 2, key: {_id: 1}, name: '_id_', collation: {locale: 'simple'}}]")));
    }

    @Test
    void shouldNotKnowTheDefaultCollationWithoutAnIdIndex() {
        // A collection that does not exist yet (empty reply) may be created with any collation; a time-series
        // collection lists no _id index.
        assertEquals(CollectionCollation.UNKNOWN, CollectionCollation.fromIndexes(List.of()));
        assertEquals(CollectionCollation.UNKNOWN,
                CollectionCollation.fromIndexes(indexes("[{v: 2, key: {meta: 1, time: 1}, name: 'meta_1_time_1'}]")));
    }

    @Test
    void shouldNotPinStringIdsInACollectionWithACaseInsensitiveDefaultCollation() {
        CollectionCollation ci = CollectionCollation.fromIndexes(indexes(CASE_INSENSITIVE_INDEXES));
        assertNull(pinned("{_id: 'ABC'}", null, known(ci)));
        assertNull(pinned("{_id: {$in: [1, 'abc']}}", null, known(ci)));
        assertNull(pinned("{_id: {tenant: 't1', n: 1}}", null, known(ci)), "a string inside an embedded id");
        assertNull(pinned("{_id: {$symbol: 'abc'}}", null, known(ci)));
        assertNull(pinned("{_id: 'ABC'}", null, known(CollectionCollation.UNKNOWN)), "unknown counts as collated");
    }

    @Test
    void shouldKeepIdsACollationCannotMakeEqualPinned() {
        CollectionCollation ci = CollectionCollation.fromIndexes(indexes(CASE_INSENSITIVE_INDEXES));
        assertEquals(1, pinned("{_id: 1}", null, notAsked()).size());
        assertEquals(2, pinned("{_id: {$in: [1, {$oid: '5f1d7f4e9d3b2a1c0e0f1a2b'}]}}", "{locale: 'en', strength: 1}",
                notAsked()).size());
        assertEquals(1, pinned("{_id: {a: 1, b: {$date: 0}}}", null, notAsked()).size());
        assertEquals(1, pinned("{_id: 'ABC'}", null, known(CollectionCollation.SIMPLE)).size());
        assertEquals(1, pinned("{_id: 1}", null, known(ci)).size());
    }

    @Test
    void shouldLetTheOperationsOwnCollationDecideOverTheCollectionsDefault() {
        assertEquals(1, pinned("{_id: 'ABC'}", "{locale: 'simple'}", notAsked()).size(),
                "an explicit simple collation compares binary even in a collated collection");
        assertNull(pinned("{_id: 'ABC'}", "{locale: 'en', strength: 2}", notAsked()));
        assertNull(pinned("{_id: 'ABC'}", "{locale: 'en', strength: 3}", notAsked()),
                "strength 3 still equates canonically equivalent forms");
    }
}

package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

class FilterAnalysisTest {

    private static List<BsonValue> pinned(String filter) {
        return FilterAnalysis.pinnedIds(BsonDocument.parse(filter));
    }

    @Test
    void shouldPinPlainIdEquality() {
        assertEquals(List.of(new BsonInt32(5)), pinned("{_id: 5}"));
        assertEquals(List.of(new BsonString("a")), pinned("{_id: 'a'}"));
        assertEquals(List.of(new BsonInt32(5)), pinned("{_id: {$eq: 5}}"));
        assertEquals(1, pinned("{_id: {$oid: '5f1d7f4e9d3b2a1c0e0f1a2b'}}").size());
    }

    @Test
    void shouldPinIdInLists() {
        assertEquals(List.of(new BsonInt32(1), new BsonInt32(2)), pinned("{_id: {$in: [1, 2]}}"));
        assertEquals(List.of(), pinned("{_id: {$in: []}}"));
        assertEquals(List.of(new BsonInt32(2)), pinned("{_id: {$in: [1, 2], $eq: 2}}"));
    }

    @Test
    void shouldIgnoreConditionsThatOnlyNarrowAPinnedId() {
        assertEquals(List.of(new BsonInt32(5)), pinned("{_id: 5, status: 'active', $or: [{a: 1}, {b: 2}]}"));
        assertEquals(List.of(new BsonInt32(1), new BsonInt32(2)), pinned("{_id: {$in: [1, 2], $ne: 3}}"));
    }

    @Test
    void shouldPinEmbeddedDocumentIdsComparedWhole() {
        assertEquals(List.of(BsonDocument.parse("{a: 1, b: 2}")), pinned("{_id: {a: 1, b: 2}}"));
        assertEquals(List.of(BsonDocument.parse("{a: 1}")), pinned("{_id: {$eq: {a: 1}}}"));
    }

    @Test
    void shouldNotPinWhatMatchesMoreThanValues() {
        assertNull(pinned("{status: 'active'}"));
        assertNull(pinned("{}"));
        assertNull(pinned("{_id: {$gt: 5}}"));
        assertNull(pinned("{_id: {$regex: '^a'}}"));
        assertNull(pinned("{_id: {$in: [1, {$regularExpression: {pattern: 'a', options: ''}}]}}"));
        assertNull(pinned("{_id: {$regularExpression: {pattern: '^a', options: ''}}}"));
        assertNull(pinned("{_id: [1, 2]}"));
        assertNull(pinned("{_id: {$in: [[1]]}}"));
        assertNull(pinned("{_id: {$nin: [1]}}"));
        assertNull(pinned("{_id: {$in: 5}}"));
        assertNull(pinned("{_id: {$eq: 5, a: 1}}"));
        assertNull(pinned("{_id: {a: 1, $eq: 2}}"));
        assertNull(pinned("{$and: [{_id: 5}]}"));
        assertNull(pinned("{'_id.a': 5}"));
    }

    @Test
    void shouldMakeAPinnedReadDependOnItsDocumentsAndAnyOtherReadOnTheWholeNamespace() {
        Dependency[] point = FilterAnalysis.readDependencies("db.c", BsonDocument.parse("{_id: {$in: [1, 1.0, 2]}}"),
                null, () -> CollectionCollation.SIMPLE);
        assertEquals(List.of(Dependency.namespaceWide("db.c"), Dependency.document("db.c", DocumentId.of(new BsonInt32(1))),
                Dependency.document("db.c", DocumentId.of(new BsonInt32(2)))), List.of(point), "1 and 1.0 are one id");
        assertEquals(List.of(Dependency.wholeNamespace("db.c")), List.of(FilterAnalysis.readDependencies("db.c",
                BsonDocument.parse("{n: 5}"), null, () -> CollectionCollation.SIMPLE)));
    }
}

package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mongocache.spi.IdStripes;
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

class PreciseAnalyzerTest {
    private final PreciseAnalyzer analyzer = new PreciseAnalyzer();

    private List<BsonValue> pinned(String filter) {
        return analyzer.pinnedIds(BsonDocument.parse(filter));
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
    void shouldPutNumericallyEqualIdsOnOneStripe() {
        int stripe = IdStripes.of(new BsonInt32(7));
        assertEquals(stripe, IdStripes.of(new BsonInt64(7)));
        assertEquals(stripe, IdStripes.of(new BsonDouble(7.0)));
        assertEquals(stripe, IdStripes.of(new BsonDecimal128(Decimal128.parse("7.000"))));
        assertEquals(IdStripes.of(new BsonDouble(0.0)), IdStripes.of(new BsonDouble(-0.0)));
        assertEquals(IdStripes.of(new BsonInt32(0)), IdStripes.of(new BsonDecimal128(Decimal128.NEGATIVE_ZERO)));
        assertEquals(IdStripes.of(new BsonInt64(1L << 40)), IdStripes.of(new BsonDouble(Math.pow(2, 40))));
        assertEquals(IdStripes.of(new BsonInt64(-12)), IdStripes.of(new BsonDecimal128(Decimal128.parse("-1.2E+1"))));
        assertEquals(IdStripes.of(new BsonDouble(2.5)), IdStripes.of(new BsonDecimal128(Decimal128.parse("2.50"))));
    }

    @Test
    void shouldSpreadIdsOverStripes() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(IdStripes.of(new BsonInt32(i)));
        }
        org.junit.jupiter.api.Assertions.assertTrue(seen.size() > 850, "1000 ids on " + seen.size() + " stripes");
    }
}

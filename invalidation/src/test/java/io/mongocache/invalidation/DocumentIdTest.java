package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class DocumentIdTest {

    private static DocumentId id(BsonValue v) {
        return DocumentId.of(v);
    }

    @Test
    void shouldMakeNumericallyEqualIdsOneId() {
        DocumentId seven = id(new BsonInt32(7));
        assertEquals(seven, id(new BsonInt64(7)));
        assertEquals(seven, id(new BsonDouble(7.0)));
        assertEquals(seven, id(new BsonDecimal128(Decimal128.parse("7.000"))));
        assertEquals(seven, id(new BsonDecimal128(Decimal128.parse("0.7E+1"))));
        assertEquals(id(new BsonDouble(0.0)), id(new BsonDouble(-0.0)));
        assertEquals(id(new BsonInt32(0)), id(new BsonDecimal128(Decimal128.NEGATIVE_ZERO)));
        assertEquals(id(new BsonInt32(0)), id(new BsonDecimal128(Decimal128.parse("-0E+3"))));
        assertEquals(id(new BsonInt64(1L << 40)), id(new BsonDouble(Math.pow(2, 40))));
        assertEquals(id(new BsonInt64(-12)), id(new BsonDecimal128(Decimal128.parse("-1.2E+1"))));
        assertEquals(id(new BsonDouble(2.5)), id(new BsonDecimal128(Decimal128.parse("2.50"))));
        assertEquals(id(new BsonDouble(1e20)), id(new BsonDecimal128(Decimal128.parse("1E+20"))));
        assertEquals(id(new BsonDouble(Double.NaN)), id(new BsonDecimal128(Decimal128.NaN)));
        assertEquals(id(new BsonDouble(Double.POSITIVE_INFINITY)), id(new BsonDecimal128(Decimal128.POSITIVE_INFINITY)));
        assertEquals(id(new BsonDouble(Double.NEGATIVE_INFINITY)), id(new BsonDecimal128(Decimal128.NEGATIVE_INFINITY)));
    }

    @Test
    void shouldKeepDifferentValuesApart() {
        // The double nearest 0.1 is not the decimal 0.1 (MongoDB compares their exact values).
        assertNotEquals(id(new BsonDouble(0.1)), id(new BsonDecimal128(Decimal128.parse("0.1"))));
        assertNotEquals(id(new BsonInt64(Long.MAX_VALUE)), id(new BsonDouble(Math.pow(2, 63))));
        assertNotEquals(id(new BsonString("1")), id(new BsonInt32(1)));
        assertNotEquals(id(new BsonString("abc")), id(new BsonString("ABC")));
        assertNotEquals(id(new BsonDateTime(5)), id(new BsonTimestamp(5)));
        assertNotEquals(id(new BsonDateTime(5)), id(new BsonInt64(5)));
        assertNotEquals(id(new BsonDouble(Double.POSITIVE_INFINITY)), id(new BsonDouble(Double.NEGATIVE_INFINITY)));
        assertNotEquals(id(new BsonBinary(new byte[] {1})), id(new BsonBinary((byte) 4, new byte[] {1})));
    }

    @Test
    void shouldCompareEmbeddedDocumentsFieldByFieldInOrder() {
        BsonDocument a = new BsonDocument("a", new BsonInt32(1)).append("b", new BsonString("x"));
        BsonDocument sameByValue = new BsonDocument("a", new BsonDouble(1.0)).append("b", new BsonString("x"));
        BsonDocument reordered = new BsonDocument("b", new BsonString("x")).append("a", new BsonInt32(1));
        assertEquals(id(a), id(sameByValue));
        assertNotEquals(id(a), id(reordered), "field order is part of a document's value in MongoDB");
        // Length prefixes keep nested values from running into each other.
        assertNotEquals(id(new BsonDocument("ab", new BsonString("c"))), id(new BsonDocument("a", new BsonString("bc"))));
        assertNotEquals(id(new BsonDocument("a", new BsonArray(List.of(new BsonInt32(1), new BsonInt32(2))))),
                id(new BsonDocument("a", new BsonArray(List.of(new BsonInt32(12))))));
    }

    @Test
    void shouldTreatSymbolsAsStrings() {
        assertEquals(id(new BsonString("s")), id(new BsonSymbol("s")));
    }

    @Test
    void shouldRoundTripThroughCanonicalBytes() {
        for (BsonValue v : List.of(new BsonObjectId(new ObjectId()), new BsonString("é"), new BsonInt64(-3),
                new BsonDouble(2.25), BsonNull.VALUE, BsonBoolean.TRUE,
                new BsonDocument("k", new BsonArray(List.of(new BsonInt32(1)))))) {
            DocumentId original = id(v);
            DocumentId copy = DocumentId.fromCanonicalBytes(original.canonicalBytes());
            assertEquals(original, copy);
            assertEquals(original.hashCode(), copy.hashCode());
            assertEquals(original.length(), copy.canonicalBytes().length);
        }
        assertThrows(IllegalArgumentException.class, () -> DocumentId.fromCanonicalBytes(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> DocumentId.of(null));
    }

    /**
     * Property: over many random ids of every common type, two ids get one canonical form exactly when their
     * values are equal by MongoDB's rules (numbers by value, other types by type and bytes) — the oracle here
     * is a normalised description of each value computed independently.
     */
    @Test
    void shouldGiveDistinctIdsDistinctFormsAtScale() {
        Random random = new Random(42);
        Map<DocumentId, String> seen = new HashMap<>();
        List<BsonValue> values = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            values.add(switch (i % 5) {
                case 0 -> new BsonInt32(random.nextInt(1_000_000));
                case 1 -> new BsonInt64(random.nextInt(1_000_000));
                case 2 -> new BsonDouble(random.nextInt(2_000_000) / 2.0);
                case 3 -> new BsonString(Integer.toString(random.nextInt(1_000_000), 36));
                default -> new BsonObjectId(new ObjectId(new java.util.Date(random.nextInt(1_000_000) * 1000L),
                        random.nextInt(1 << 24)));
            });
        }
        for (BsonValue v : values) {
            String oracle = oracle(v);
            String previous = seen.putIfAbsent(id(v), oracle);
            if (previous != null) {
                assertEquals(previous, oracle, "one canonical id for two different values: " + v);
            }
        }
        Map<String, DocumentId> byOracle = new HashMap<>();
        for (BsonValue v : values) {
            DocumentId previous = byOracle.putIfAbsent(oracle(v), id(v));
            if (previous != null) {
                assertEquals(previous, id(v), "two canonical ids for one value: " + v);
            }
        }
    }

    private static String oracle(BsonValue v) {
        return switch (v.getBsonType()) {
            case INT32 -> "n" + new java.math.BigDecimal(v.asInt32().getValue()).stripTrailingZeros().toPlainString();
            case INT64 -> "n" + new java.math.BigDecimal(v.asInt64().getValue()).stripTrailingZeros().toPlainString();
            case DOUBLE -> "n" + new java.math.BigDecimal(v.asDouble().getValue()).stripTrailingZeros().toPlainString();
            case STRING -> "s" + v.asString().getValue();
            case OBJECT_ID -> "o" + v.asObjectId().getValue().toHexString();
            default -> throw new IllegalArgumentException(v.toString());
        };
    }
}

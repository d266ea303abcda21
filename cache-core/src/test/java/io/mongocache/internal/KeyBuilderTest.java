package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.invalidation.Dependency;
import java.nio.ByteBuffer;
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
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** The canonical key encoding: equal exactly when the BSON MongoDB receives is equal. */
class KeyBuilderTest {
    private static final KeyPrefix PREFIX = new KeyPrefix("db.c", "find", Document.class,
            KeyBuilder.prefix("db.c", "find", Document.class, new BsonDocument(), new BsonDocument()));

    private static CacheKey key(BsonDocument filter) {
        return new KeyBuilder(PREFIX).value("filter", filter).build(() -> new Dependency[0]);
    }

    private static BsonDocument doc(String json) {
        return BsonDocument.parse(json);
    }

    @Test
    void shouldFlagTimeAndRandomnessAsNonDeterministic() {
        assertFalse(KeyBuilder.isDeterministic(BsonDocument.parse("{$expr: {$lt: ['$t', '$$NOW']}}")));
        assertFalse(KeyBuilder.isDeterministic(BsonDocument.parse("{$sample: {size: 3}}")));
        assertFalse(KeyBuilder.isDeterministic(BsonDocument.parse("{a: {$rand: {}}}")));
        assertFalse(KeyBuilder.isDeterministic(BsonDocument.parse("{$where: 'this.a > 1'}")));
        assertTrue(KeyBuilder.isDeterministic(BsonDocument.parse("{a: '$$ROOT', b: {$gt: 1}}")));
    }

    @Test
    void shouldTellApartWhatMongoDbTellsApart() {
        assertEquals(key(doc("{a: 1, b: 'x'}")), key(doc("{a: 1, b: 'x'}")));
        assertNotEquals(key(doc("{a: 1, b: 'x'}")), key(doc("{b: 'x', a: 1}")), "field order");
        assertNotEquals(key(new BsonDocument("a", new BsonInt32(1))), key(new BsonDocument("a", new BsonInt64(1))));
        assertNotEquals(key(doc("{a: {}, '': 1}")), key(doc("{a: {'': 1}}")), "nesting");
        assertNotEquals(key(doc("{ab: 'c'}")), key(doc("{a: 'bc'}")));
        assertNotEquals(key(doc("{a: [1, 2]}")), key(doc("{a: [[1, 2]]}")));
        assertNotEquals(key(doc("{a: 'é'}")), key(doc("{a: 'e'}")));
        assertNotEquals(key(new BsonDocument("a", new BsonDouble(0.0))), key(new BsonDocument("a", new BsonDouble(-0.0))));
        assertNotEquals(key(new BsonDocument("a", new BsonDateTime(5))), key(new BsonDocument("a", new BsonInt64(5))));
        assertNotEquals(key(new BsonDocument("a", new BsonRegularExpression("x", "i"))),
                key(new BsonDocument("a", new BsonRegularExpression("x", ""))));
    }

    @Test
    void shouldBuildOtherKeysWhileOneIsUnderWay() {
        KeyBuilder outer = new KeyBuilder(PREFIX).value("filter", doc("{a: 1}"));
        CacheKey inner = key(doc("{b: 2}"));
        CacheKey built = outer.value("limit", new BsonInt32(3)).build(() -> new Dependency[0]);
        assertEquals(key(doc("{b: 2}")), inner);
        assertEquals(new KeyBuilder(PREFIX).value("filter", doc("{a: 1}")).value("limit", new BsonInt32(3))
                .build(() -> new Dependency[0]), built);
        assertNull(new KeyBuilder(PREFIX).value("filter", doc("{$where: 'true'}")).buildIfDeterministic(() -> null));
        assertEquals(key(doc("{a: 1}")), key(doc("{a: 1}")), "a discarded builder leaves the thread's buffer usable");
    }

    @Test
    void shouldNotDependOnWhichViewEncodedThePrefix() {
        KeyPrefix other = new KeyPrefix("db.c", "find", Document.class,
                KeyBuilder.prefix("db.c", "find", Document.class, new BsonDocument(), new BsonDocument()));
        CacheKey a = key(doc("{a: 1}"));
        CacheKey b = new KeyBuilder(other).value("filter", doc("{a: 1}")).build(() -> new Dependency[0]);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.digest(), b.digest());
        KeyPrefix secondary = new KeyPrefix("db.c", "find", Document.class, KeyBuilder.prefix("db.c", "find",
                Document.class, doc("{mode: 'secondary'}"), new BsonDocument()));
        assertNotEquals(a, new KeyBuilder(secondary).value("filter", doc("{a: 1}")).build(() -> new Dependency[0]));
    }

    /** Property: over random nested filters, two keys are equal exactly when the filters' BSON bytes are. */
    @Test
    void shouldMatchBsonEqualityOnRandomFilters() {
        Random random = new Random(11);
        Map<CacheKey, ByteBuffer> seen = new HashMap<>();
        for (int i = 0; i < 30_000; i++) {
            BsonDocument filter = randomDocument(random, 0);
            ByteBuffer bson = ByteBuffer.wrap(bytes(filter));
            ByteBuffer previous = seen.putIfAbsent(key(filter), bson);
            if (previous != null) {
                assertEquals(previous, bson, "one key for two different filters: " + filter);
            }
        }
        Map<ByteBuffer, CacheKey> byBytes = new HashMap<>();
        for (Map.Entry<CacheKey, ByteBuffer> e : seen.entrySet()) {
            CacheKey previous = byBytes.putIfAbsent(e.getValue(), e.getKey());
            assertTrue(previous == null, "two keys for one filter");
        }
        assertTrue(seen.size() > 10_000, "the generator makes mostly distinct filters: " + seen.size());
    }

    private static byte[] bytes(BsonDocument d) {
        ByteBuffer b = new RawBsonDocument(d, new org.bson.codecs.BsonDocumentCodec()).getByteBuffer().asNIO();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static BsonDocument randomDocument(Random random, int depth) {
        BsonDocument d = new BsonDocument();
        int fields = random.nextInt(depth == 0 ? 4 : 3);
        for (int f = 0; f < fields; f++) {
            d.append(List.of("", "a", "b", "ab", "_id", "$in", "é").get(random.nextInt(7)), randomValue(random, depth));
        }
        return d;
    }

    private static BsonValue randomValue(Random random, int depth) {
        int kind = random.nextInt(depth >= 2 ? 10 : 12);
        return switch (kind) {
            case 0 -> new BsonInt32(random.nextInt(3));
            case 1 -> new BsonInt64(random.nextInt(3));
            case 2 -> new BsonDouble(random.nextInt(3) / 2.0);
            case 3 -> new BsonString(List.of("", "x", "xy", "é").get(random.nextInt(4)));
            case 4 -> BsonBoolean.valueOf(random.nextBoolean());
            case 5 -> BsonNull.VALUE;
            case 6 -> new BsonObjectId(new ObjectId(new java.util.Date(1000L * random.nextInt(3)), random.nextInt(2)));
            case 7 -> new BsonDateTime(random.nextInt(3));
            case 8 -> new BsonDecimal128(Decimal128.parse(List.of("1", "1.0", "2").get(random.nextInt(3))));
            case 9 -> new BsonBinary(new byte[] {(byte) random.nextInt(2)});
            case 10 -> randomDocument(random, depth + 1);
            default -> {
                List<BsonValue> values = new ArrayList<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    values.add(randomValue(random, depth + 1));
                }
                yield new BsonArray(values);
            }
        };
    }
}

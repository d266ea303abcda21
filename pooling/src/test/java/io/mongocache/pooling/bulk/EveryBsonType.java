package io.mongocache.pooling.bulk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/**
 * Documents holding every BSON type, in tricky variants, for byte-exact round-trip tests.
 *
 * <p>The in-process mongo-java-server rejects DBPointer, Symbol, JavaScript-with-scope and binary
 * subtypes other than 0, 3 and 4 (it drops the connection on them), rewrites user-defined binary
 * subtypes (0x80) to 0 and Undefined to null; those values are only included against a real server.
 */
final class EveryBsonType {

    private EveryBsonType() {}

    /** One document per value (so a failure names the value), then one holding all of them. */
    static List<RawBsonDocument> documents(boolean realMongo) {
        List<BsonDocument> values = new ArrayList<>();
        add(values, "double", new BsonDouble(1.5));
        add(values, "doubleThird", new BsonDouble(1.0 / 3));
        add(values, "doubleNaN", new BsonDouble(Double.NaN));
        add(values, "doubleNegativeZero", new BsonDouble(-0.0));
        add(values, "doublePositiveZero", new BsonDouble(0.0));
        add(values, "doubleInfinity", new BsonDouble(Double.POSITIVE_INFINITY));
        add(values, "doubleNegativeInfinity", new BsonDouble(Double.NEGATIVE_INFINITY));
        add(values, "doubleMinValue", new BsonDouble(Double.MIN_VALUE));
        add(values, "doubleMaxValue", new BsonDouble(Double.MAX_VALUE));
        add(values, "doubleIntegral", new BsonDouble(42.0));
        add(values, "string", new BsonString("plain"));
        add(values, "stringEmpty", new BsonString(""));
        add(values, "stringUnicode", new BsonString("h\u00e9llo \u4e16\u754c \ud83d\ude00 \u2028\u2029"));
        add(values, "stringControl", new BsonString("tab\t nl\n cr\r nul\u0000 bell\u0007 quote\" backslash\\ slash/"));
        add(values, "stringLooksLikeExtendedJson", new BsonString("{\"$numberInt\":\"1\"}"));
        add(values, "document", new BsonDocument("z", new BsonInt32(1)).append("a", new BsonInt32(2)).append("m",
                new BsonDocument("deep", new BsonDocument("deeper", new BsonArray(List.of(new BsonDocument("x", BsonNull.VALUE)))))));
        add(values, "documentEmpty", new BsonDocument());
        add(values, "documentDollarKey", new BsonDocument("$notAnOperator", new BsonInt32(1)));
        add(values, "array", new BsonArray(List.of(new BsonInt32(1), new BsonInt64(1), new BsonDouble(1),
                new BsonArray(), new BsonArray(List.of(new BsonString("nested"))), new BsonDocument())));
        add(values, "arrayEmpty", new BsonArray());
        add(values, "binaryGeneric", new BsonBinary(new byte[] {0, 1, 2, (byte) 0xff}));
        add(values, "binaryEmpty", new BsonBinary(new byte[0]));
        add(values, "binaryUuidLegacy", new BsonBinary(BsonBinarySubType.UUID_LEGACY, sixteenBytes(3)));
        add(values, "binaryUuid", new BsonBinary(BsonBinarySubType.UUID_STANDARD, sixteenBytes(4)));
        if (realMongo) {
            add(values, "binaryFunction", new BsonBinary(BsonBinarySubType.FUNCTION, new byte[] {1, 2, 3}));
            add(values, "binaryOld", new BsonBinary(BsonBinarySubType.OLD_BINARY, new byte[] {1, 2, 3}));
            add(values, "binaryMd5", new BsonBinary(BsonBinarySubType.MD5, sixteenBytes(5)));
            add(values, "binaryUserDefined", new BsonBinary((byte) 0x80, new byte[] {9, 8, 7}));
            add(values, "undefined", new BsonUndefined());
            add(values, "symbol", new BsonSymbol("sym"));
            add(values, "javaScriptWithScope", new BsonJavaScriptWithScope("function() { return x; }",
                    new BsonDocument("x", new BsonInt32(1))));
            add(values, "dbPointer", new BsonDbPointer("db.collection", new ObjectId("5f0000000000000000000001")));
        }
        add(values, "objectId", new BsonObjectId(new ObjectId("65f0c0ffee00000000000001")));
        add(values, "true", BsonBoolean.TRUE);
        add(values, "false", BsonBoolean.FALSE);
        add(values, "dateEpoch", new BsonDateTime(0));
        add(values, "dateBefore1970", new BsonDateTime(-1_234_567_890_123L));
        add(values, "dateFarFuture", new BsonDateTime(253_402_300_800_000L));
        add(values, "dateMax", new BsonDateTime(Long.MAX_VALUE));
        add(values, "null", BsonNull.VALUE);
        add(values, "regex", new BsonRegularExpression("^a.*\"b\\d$", "imsx"));
        add(values, "regexNoOptions", new BsonRegularExpression("x"));
        add(values, "javaScript", new BsonJavaScript("function() { return \"x\"; }"));
        add(values, "int32", new BsonInt32(7));
        add(values, "int32Min", new BsonInt32(Integer.MIN_VALUE));
        add(values, "int32Max", new BsonInt32(Integer.MAX_VALUE));
        // Nested: MongoDB replaces a zero timestamp in the first two top-level fields with the current time.
        add(values, "timestamp", new BsonDocument("ts", new BsonTimestamp(0L)).append("max",
                new BsonTimestamp(0xFFFF_FFFF, 0xFFFF_FFFF)).append("some", new BsonTimestamp(1_700_000_000, 17)));
        add(values, "int64", new BsonInt64(7));
        add(values, "int64Min", new BsonInt64(Long.MIN_VALUE));
        add(values, "int64Max", new BsonInt64(Long.MAX_VALUE));
        add(values, "decimal", new BsonDecimal128(Decimal128.parse("1.00")));
        add(values, "decimalNegativeZero", new BsonDecimal128(Decimal128.NEGATIVE_ZERO));
        add(values, "decimalNaN", new BsonDecimal128(Decimal128.NaN));
        add(values, "decimalInfinity", new BsonDecimal128(Decimal128.POSITIVE_INFINITY));
        add(values, "decimalNegativeInfinity", new BsonDecimal128(Decimal128.NEGATIVE_INFINITY));
        add(values, "decimalTiny", new BsonDecimal128(Decimal128.parse("-1.234567890123456789012345678901234E-6143")));
        add(values, "decimalHuge", new BsonDecimal128(Decimal128.parse("9.999999999999999999999999999999999E+6144")));
        add(values, "minKey", new BsonMinKey());
        add(values, "maxKey", new BsonMaxKey());

        List<RawBsonDocument> documents = new ArrayList<>();
        int id = 1;
        BsonDocument all = new BsonDocument("_id", new BsonInt32(0));
        for (BsonDocument value : values) {
            String name = value.getFirstKey();
            BsonValue bsonValue = value.get(name);
            documents.add(raw(new BsonDocument("_id", new BsonInt32(id++)).append(name, bsonValue)));
            all.append(name, bsonValue);
        }
        // Field order is part of the bytes: the same fields again, reversed.
        BsonDocument reversed = new BsonDocument("_id", new BsonInt32(id++));
        List<String> names = new ArrayList<>(all.keySet());
        for (int i = names.size() - 1; i > 0; i--) {
            reversed.append(names.get(i), all.get(names.get(i)));
        }
        documents.add(0, raw(all));
        documents.add(raw(reversed));
        // _id of other types than int32.
        documents.add(raw(new BsonDocument("_id", new BsonInt64(1L << 40)).append("idType", new BsonString("int64"))));
        documents.add(raw(new BsonDocument("_id", new BsonString("a string id")).append("idType", new BsonString("string"))));
        documents.add(raw(new BsonDocument("_id", new BsonDocument("b", new BsonInt32(2)).append("a", new BsonInt32(1)))
                .append("idType", new BsonString("document"))));
        documents.add(raw(new BsonDocument("_id", new BsonObjectId(new ObjectId("65f0c0ffee00000000000002")))
                .append("idType", new BsonString("objectId"))));
        return documents;
    }

    private static void add(List<BsonDocument> values, String name, BsonValue value) {
        values.add(new BsonDocument(name, value));
    }

    private static byte[] sixteenBytes(int seed) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return bytes;
    }

    static RawBsonDocument raw(BsonDocument document) {
        return new RawBsonDocument(document, new BsonDocumentCodec());
    }

    /** Exactly the document's bytes (a RawBsonDocument's backing array may be longer). */
    static byte[] bytes(RawBsonDocument document) {
        ByteBuffer buffer = document.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** For messages: the document as canonical Extended JSON. */
    static String json(RawBsonDocument document) {
        return document.toJson(org.bson.json.JsonWriterSettings.builder()
                .outputMode(org.bson.json.JsonMode.EXTENDED).build());
    }
}

package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.json.JsonReader;
import org.junit.jupiter.api.Test;

/** Writing and parsing single lines, without a server. */
class ExportFormatTest {

    @Test
    void everyBsonTypeSurvivesADocumentLine() {
        for (RawBsonDocument document : EveryBsonType.documents(true)) {
            StringWriter out = new StringWriter();
            new ExportLineWriter(out).document(document);
            String line = out.toString();
            assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);

            ExportFormat.ExportLine parsed = ExportFormat.parse(line.substring(0, line.length() - 1), 7);

            RawBsonDocument back = assertInstanceOf(ExportFormat.Document.class, parsed).document();
            assertArrayEquals(EveryBsonType.bytes(document), EveryBsonType.bytes(back), line);
        }
    }

    @Test
    void envelopeLinesRoundTrip() {
        StringWriter out = new StringWriter();
        ExportLineWriter writer = new ExportLineWriter(out);
        String oddName = "we\"ird\\name\t\u0001\u2028\u00e9";
        BsonDocument options = new BsonDocument("capped", org.bson.BsonBoolean.TRUE).append("size", new BsonInt32(4096));
        BsonDocument index = new BsonDocument("key", new BsonDocument("a", new BsonInt32(-1)))
                .append("name", new BsonString("a_-1")).append("expireAfterSeconds", new BsonInt32(5));
        writer.header(oddName);
        writer.collection(oddName, options);
        writer.index(index);
        writer.endCollection(oddName, 3_000_000_000L, 1);
        writer.endExport(oddName, 1, 3_000_000_000L, 1);
        List<String> lines = List.of(out.toString().split("\n"));

        assertEquals(new ExportFormat.Header(1, oddName), ExportFormat.parse(lines.get(0), 1));
        assertEquals(new ExportFormat.CollectionStart(oddName, options), ExportFormat.parse(lines.get(1), 2));
        assertEquals(new ExportFormat.Index(index), ExportFormat.parse(lines.get(2), 3));
        assertEquals(new ExportFormat.CollectionEnd(oddName, 3_000_000_000L, 1), ExportFormat.parse(lines.get(3), 4));
        assertEquals(new ExportFormat.ExportEnd(oddName, 1, 3_000_000_000L, 1), ExportFormat.parse(lines.get(4), 5));
    }

    @Test
    void jsonStringIsValidJson() {
        String value = "q\" b\\ n\n r\r t\t nul\u0000 ls\u2028 \ud83d\ude00";
        JsonReader reader = new JsonReader("{\"v\":" + ExportLineWriter.jsonString(value) + "}");
        reader.readStartDocument();
        assertEquals(value, reader.readString("v"));
    }

    @Test
    void problemsNameTheLine() {
        assertProblem("{\"doc\":{\"a\":", 3, "malformed JSON");
        assertProblem("{\"doc\":{}} {}", 3, "text after the end of the JSON object");
        assertProblem("{\"doc\":{}, \"more\": 1}", 3, "unexpected field 'more' after 'doc'");
        assertProblem("{\"doc\":5}", 3, "'doc' must be an object");
        assertProblem("{}", 3, "empty object");
        assertProblem("{\"what\":1}", 3, "unknown line type 'what'");
        assertProblem("{\"collection\":1,\"options\":{}}", 3, "'collection' must be a string");
        assertProblem("{\"collection\":\"c\"}", 3, "a 'collection' line needs the field 'options'");
        assertProblem("{\"endCollection\":\"c\",\"documents\":-1,\"indexes\":0}", 3, "'documents' must be >= 0");
        assertProblem("{\"endCollection\":\"c\",\"documents\":1.5,\"indexes\":0}", 3, "'documents' must be an integer");
        assertProblem("{\"mongocacheExport\":\"1\",\"database\":\"d\"}", 3, "'mongocacheExport' must be an integer");
        assertProblem("{\"index\":{}, \"x\":1}", 3, "unexpected field 'x' in a 'index' line");
        assertProblem("", 3, "malformed JSON");
    }

    private static void assertProblem(String line, long number, String start) {
        ImportException e = assertThrows(ImportException.class, () -> ExportFormat.parse(line, number));
        assertEquals(number, e.lineNumber());
        assertTrue(e.problem().startsWith(start), e.problem());
    }
}

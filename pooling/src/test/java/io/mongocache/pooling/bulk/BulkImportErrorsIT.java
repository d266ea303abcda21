package io.mongocache.pooling.bulk;

import static io.mongocache.pooling.bulk.BulkAssertions.collectionNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input fails with the right line and leaves nothing behind: no collection of the input and no
 * temporary in the target, and collections already there untouched.
 *
 * <p>The export used (batch size 2, so temporaries have received documents before most failures):
 * <pre>
 *  1 header
 *  2 collection a        7 collection b
 *  3 index               8..12 doc (5 docs)
 *  4 doc                 13 endCollection b
 *  5 doc                 14 endExport
 *  6 endCollection a
 * </pre>
 */
class BulkImportErrorsIT extends BulkIntegrationTest {

    private final BulkTasks tasks = new BulkTasks(client::getDatabase).batchSize(2);
    private MongoDatabase target;
    private List<String> lines;

    @BeforeEach
    void exportSample() {
        MongoDatabase source = newDatabase("imp_src");
        source.getCollection("a").insertMany(List.of(new Document("_id", 1).append("k", "x"),
                new Document("_id", 2).append("k", "y")));
        source.getCollection("a").createIndex(Indexes.ascending("k"), new IndexOptions().unique(true));
        for (int i = 0; i < 5; i++) {
            source.getCollection("b").insertOne(new Document("_id", i));
        }
        lines = List.of(tasks.export(source.getName()).split("\n"));
        assertEquals(14, lines.size(), String.join("\n", lines));
        target = newDatabase("imp_dst");
        // Already there: "b" must keep its old contents and "untouched" must stay whatever fails.
        target.getCollection("b").insertOne(new Document("_id", "old"));
        target.getCollection("untouched").insertOne(new Document("_id", "kept"));
    }



    /** The sample with line {@code number} (1-based) replaced. */
    private String withLine(int number, String replacement) {
        List<String> copy = new ArrayList<>(lines);
        copy.set(number - 1, replacement);
        return String.join("\n", copy) + "\n";
    }

    private String edited(UnaryOperator<List<String>> edit) {
        return String.join("\n", edit.apply(new ArrayList<>(lines))) + "\n";
    }

    private ImportException importFails(String data, long expectedLine) {
        ImportException e = assertThrows(ImportException.class, () -> tasks.importInto(target.getName(), data));
        assertEquals(expectedLine, e.lineNumber(), e.getMessage());
        assertEquals("line " + expectedLine + ": " + e.problem(), e.getMessage());
        assertTargetUnchanged();
        return e;
    }

    private void assertTargetUnchanged() {
        assertEquals(Set.of("b", "untouched"), collectionNames(target), "no imported collection and no temporary");
        assertEquals(List.of(new Document("_id", "old")), target.getCollection("b").find().into(new ArrayList<>()));
        assertEquals(List.of(new Document("_id", "kept")), target.getCollection("untouched").find().into(new ArrayList<>()));
    }

    @Test
    void theSampleItselfImports() {
        tasks.importInto(target.getName(), String.join("\n", lines) + "\n");
        assertEquals(Set.of("a", "b", "untouched"), collectionNames(target));
        assertEquals(5, target.getCollection("b").countDocuments());
    }

    @Test
    void malformedJsonNamesItsLine() {
        ImportException e = importFails(withLine(10, "{\"doc\":{\"_id\": {\"$numberInt\": \"3\"}"), 10);
        assertTrue(e.problem().startsWith("malformed JSON"), e.problem());
        importFails(withLine(9, "not json at all"), 9);
        importFails(withLine(5, "{\"doc\":{\"x\": {\"$numberDecimal\": \"one\"}}}"), 5);
        importFails(withLine(4, "{\"doc\":{\"_id\": 1}} trailing"), 4);
        importFails(withLine(4, "[1, 2]"), 4);
    }

    @Test
    void unknownLineTypeNamesItsLine() {
        ImportException e = importFails(withLine(8, "{\"document\":{\"_id\":1}}"), 8);
        assertTrue(e.problem().startsWith("unknown line type 'document'"), e.problem());
    }

    @Test
    void documentBeforeItsCollectionHeader() {
        ImportException e = importFails(edited(l -> {
            l.add(1, "{\"doc\":{\"_id\":{\"$numberInt\":\"9\"}}}");
            return l;
        }), 2);
        assertTrue(e.problem().startsWith("a document line outside a collection"), e.problem());
    }

    @Test
    void documentAfterItsCollectionEnded() {
        // Line 6 (endCollection a, its count fixed up) moved before line 5 (the last document of a).
        ImportException e = importFails(edited(l -> {
            String end = l.remove(5).replace("\"documents\":2", "\"documents\":1");
            l.add(4, end);
            return l;
        }), 6);
        assertTrue(e.problem().startsWith("a document line outside a collection"), e.problem());
    }

    @Test
    void collectionStartingBeforeThePreviousEnded() {
        ImportException e = importFails(edited(l -> {
            l.remove(5); // endCollection a
            return l;
        }), 6);
        assertTrue(e.problem().contains("starts before collection 'a' has ended"), e.problem());
    }

    @Test
    void headerMustComeFirstAndBeKnown() {
        importFails(edited(l -> l.subList(1, l.size())), 1);
        ImportException e = importFails(withLine(1, "{\"mongocacheExport\":2,\"database\":\"x\"}"), 1);
        assertTrue(e.problem().contains("version 2 is not supported"), e.problem());
        importFails("", 1);
        importFails(edited(l -> {
            l.add(3, l.get(0));
            return l;
        }), 4);
    }

    @Test
    void truncatedInputNamesTheLineAfterTheLast() {
        // Cut at a line end inside collection b: line 11 would have been next.
        ImportException inside = importFails(edited(l -> l.subList(0, 10)), 11);
        assertTrue(inside.problem().contains("ends inside collection 'b'"), inside.problem());
        // Cut after every collection but before endExport.
        ImportException beforeEnd = importFails(edited(l -> l.subList(0, 13)), 14);
        assertTrue(beforeEnd.problem().contains("without the 'endExport' line"), beforeEnd.problem());
        // Cut in the middle of a line: that line is malformed.
        String whole = String.join("\n", lines) + "\n";
        int cut = whole.indexOf(lines.get(9)) + 12;
        importFails(whole.substring(0, cut), 10);
    }

    @Test
    void truncatedStreamIsRejectedToo() {
        byte[] whole = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        ImportException e = assertThrows(ImportException.class, () -> tasks.importFrom(target.getName(),
                new ByteArrayInputStream(cut), ProgressListener.NONE));
        assertEquals(14, e.lineNumber(), e.getMessage());
        assertTargetUnchanged();
    }

    @Test
    void missingOrExtraDocumentLinesAreCaughtByTheCounts() {
        ImportException e = importFails(edited(l -> {
            l.remove(9); // one document of b
            return l;
        }), 12);
        assertTrue(e.problem().contains("had 4 document lines"), e.problem());
        importFails(withLine(14, lines.get(13).replace("\"collections\":2", "\"collections\":3")), 14);
    }

    @Test
    void textAfterTheEndIsRejected() {
        importFails(edited(l -> {
            l.add("{\"collection\":\"late\",\"options\":{}}");
            return l;
        }), 15);
    }

    @Test
    void aDocumentMongoDbRefusesNamesItsLine() {
        // Two documents with the same _id: the second one's insert fails.
        ImportException e = importFails(withLine(9, lines.get(8).replace("\"1\"", "\"0\"")), 9);
        assertTrue(e.problem().contains("refused a document of collection 'b'"), e.problem());
    }

    @Test
    void anIndexMongoDbRefusesNamesItsLine() {
        // Both documents of a get the same k, so the unique index on k cannot be built.
        ImportException e = importFails(withLine(5, lines.get(4).replace("\"y\"", "\"x\"")), 3);
        assertTrue(e.problem().contains("refused the indexes of collection 'a'"), e.problem());
    }

    @Test
    void badLinesForTheLineType() {
        importFails(withLine(3, "{\"index\":{\"name\":\"k_1\"}}"), 3);
        importFails(withLine(2, "{\"collection\":\"system.users\",\"options\":{}}"), 2);
        importFails(withLine(2, "{\"collection\":\"a\",\"options\":{},\"extra\":1}"), 2);
        importFails(withLine(7, "{\"collection\":\"a\",\"options\":{}}"), 7);
        importFails(withLine(6, "{\"endCollection\":\"b\",\"documents\":2,\"indexes\":1}"), 6);
        importFails(withLine(4, "{\"doc\":[1]}"), 4);
        importFails(withLine(4, "{}"), 4);
    }

    @Test
    void invalidUtf8NamesItsLine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 9 ? lines.get(i).replace("}}", ", \"s\": \"\u00e9\"}}") : lines.get(i);
            byte[] encoded = (line + "\n").getBytes(StandardCharsets.UTF_8);
            if (i == 9) {
                // Keep the lead byte of é, drop its continuation byte: invalid UTF-8.
                int at = line.indexOf('\u00e9');
                byte[] broken = new byte[encoded.length - 1];
                byte[] prefix = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(encoded, 0, broken, 0, prefix.length + 1);
                System.arraycopy(encoded, prefix.length + 2, broken, prefix.length + 1, encoded.length - prefix.length - 2);
                encoded = broken;
            }
            bytes.write(encoded);
        }
        ImportException e = assertThrows(ImportException.class, () -> tasks.importFrom(target.getName(),
                new ByteArrayInputStream(bytes.toByteArray()), ProgressListener.NONE));
        assertEquals(10, e.lineNumber(), e.getMessage());
        assertTrue(e.problem().startsWith("not valid UTF-8"), e.problem());
        assertTargetUnchanged();
    }

    @Test
    void aFailingProgressListenerUndoesTheImportToo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tasks.importFrom(target.getName(),
                new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)),
                (collection, inCollection, total, bytes) -> {
                    if (collection.equals("b")) {
                        throw new IllegalStateException("stop");
                    }
                }));
        assertEquals("stop", e.getMessage());
        assertTargetUnchanged();
    }

    @Test
    void crLfLineEndsAndBlankLinesAreAccepted() {
        tasks.importInto(target.getName(), String.join("\r\n", lines) + "\r\n\r\n");
        assertEquals(Set.of("a", "b", "untouched"), collectionNames(target));
    }
}

package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The progress listener is called per batch, with counts that only grow and end at the totals. */
class BulkProgressIT extends BulkIntegrationTest {

    private static final int BATCH = 10;

    /** One call to the listener. */
    private record Call(String collection, long collectionDocuments, long totalDocuments, long bytes) {}

    private final BulkTasks tasks = new BulkTasks(client::getDatabase).batchSize(BATCH);
    private MongoDatabase source;

    @BeforeEach
    void fill() {
        source = newDatabase("prog_src");
        insert(source, "alpha", 35);  // three full batches and a partial one
        insert(source, "beta", 20);   // exactly two batches
        source.createCollection("gamma"); // empty
    }



    private static void insert(MongoDatabase database, String collection, int count) {
        database.getCollection(collection).insertMany(IntStream.range(0, count)
                .mapToObj(i -> new Document("_id", i).append("pad", "x".repeat(100))).toList());
    }

    @Test
    void exportReportsEveryBatchWithGrowingCounts() {
        List<Call> calls = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ExportReport report = tasks.exportTo(source.getName(), out,
                (collection, inCollection, total, bytes) -> calls.add(new Call(collection, inCollection, total, bytes)));

        assertGrowing(calls, report.documents(), report.bytes());
    }

    @Test
    void importReportsEveryBatchWithGrowingCounts() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tasks.exportTo(source.getName(), out, ProgressListener.NONE);
        List<Call> calls = new ArrayList<>();

        ImportReport report = tasks.importFrom(newDatabase("prog_dst").getName(), new ByteArrayInputStream(out.toByteArray()),
                (collection, inCollection, total, bytes) -> calls.add(new Call(collection, inCollection, total, bytes)));

        assertGrowing(calls, report.documents(), report.bytes());
    }

    @Test
    void copyReportsEveryBatchWithGrowingCounts() {
        List<Call> calls = new ArrayList<>();

        CopyReport report = tasks.copyDatabase(source.getName(), newDatabase("prog_dst").getName(),
                (collection, inCollection, total, bytes) -> calls.add(new Call(collection, inCollection, total, bytes)));

        assertGrowing(calls, report.documents(), report.bytes());
    }

    /** Per batch of 10: alpha 10, 20, 30, 35; beta 10, 20; gamma 0 — totals and bytes never shrink. */
    private static void assertGrowing(List<Call> calls, long documents, long bytes) {
        assertEquals(List.of("alpha 10 10", "alpha 20 20", "alpha 30 30", "alpha 35 35",
                        "beta 10 45", "beta 20 55", "gamma 0 55"),
                calls.stream().map(c -> c.collection() + " " + c.collectionDocuments() + " " + c.totalDocuments()).toList());
        for (int i = 1; i < calls.size(); i++) {
            assertTrue(calls.get(i).bytes() >= calls.get(i - 1).bytes(), "bytes shrank: " + calls);
            assertTrue(calls.get(i).totalDocuments() >= calls.get(i - 1).totalDocuments(), "total shrank: " + calls);
        }
        assertTrue(calls.get(0).bytes() > 0, "bytes counted: " + calls);
        assertEquals(documents, calls.get(calls.size() - 1).totalDocuments());
        // An export writes its end line after the last call, so the report may count a few bytes more.
        assertTrue(calls.get(calls.size() - 1).bytes() <= bytes, "bytes beyond the report: " + calls);
        assertEquals(55, documents);
    }
}

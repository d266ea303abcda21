package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TestMongo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming export and import of more than 200 MB of documents in a child JVM limited to a 128 MB
 * heap: proves neither ever holds a collection in memory.
 *
 * <p>The MongoDB server is a private in-process one living in this (the test) JVM, so its memory
 * does not count against the child's heap.
 */
class BulkStreamingScaleIT {

    private static final int DOCUMENTS = 200_000;
    private static final int PAYLOAD_CHARS = 900;
    private static final long MIN_BSON_BYTES = 200L * 1000 * 1000;
    private static final int BATCH = 1000;
    private static final String CHILD_HEAP = "-Xmx128m";
    private static final long CHILD_TIMEOUT_SECONDS = 300;
    private static final long LIVE_HEAP_LIMIT = 48L * 1024 * 1024;

    @Test
    void exportsAndImportsMoreThan200MbInAChildJvmWith128MbHeap(@TempDir Path directory) throws Exception {
        try (MongoServerHandle server = TestMongo.startInProcess(); MongoClient client = server.newClient()) {
            long seedStart = System.nanoTime();
            long bsonBytes = seed(client.getDatabase("scale_src").getCollection("events", RawBsonDocument.class));
            long seedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - seedStart);
            System.out.printf("scale: seeded %,d documents, %,d bytes of BSON in %,d ms%n", DOCUMENTS, bsonBytes, seedMillis);
            assertTrue(bsonBytes >= MIN_BSON_BYTES, "seeded only " + bsonBytes + " bytes");

            Path file = directory.resolve("export.jsonl");
            long childStart = System.nanoTime();
            ChildResult child = runChild(server.connectionString(), "scale_src", "scale_dst", file);
            long childMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - childStart);
            System.out.printf("scale: child JVM (%s) exited %d after %,d ms%n", CHILD_HEAP, child.exitCode, childMillis);

            assertEquals(0, child.exitCode, "child output:\n" + child.output);
            Map<String, Long> export = child.fields("export collections=");
            Map<String, Long> imported = child.fields("import collections=");
            Map<String, Long> heap = child.fields("heap ");
            assertEquals(DOCUMENTS, export.get("documents"));
            assertEquals(DOCUMENTS, imported.get("documents"));
            assertEquals(1, imported.get("collections"));
            assertEquals(export.get("bytes"), imported.get("bytes"));
            assertEquals(Files.size(file), export.get("bytes"));
            assertTrue(export.get("bytes") > MIN_BSON_BYTES, "export size " + export.get("bytes"));
            // Far below the data size: nothing collection-sized was ever held (the 128 MB limit proves it too).
            assertTrue(heap.get("maxLiveAfterGcBytes") < LIVE_HEAP_LIMIT, "live heap " + heap.get("maxLiveAfterGcBytes"));
            System.out.printf("scale: export %,d bytes of JSON Lines in %,d ms; import in %,d ms; child heap peak %,d bytes "
                            + "(garbage included), largest live heap after a GC %,d bytes%n",
                    export.get("bytes"), export.get("millis"), imported.get("millis"), heap.get("peakUsedBytes"),
                    heap.get("maxLiveAfterGcBytes"));

            long verifyStart = System.nanoTime();
            MongoCollection<RawBsonDocument> source = client.getDatabase("scale_src").getCollection("events", RawBsonDocument.class);
            MongoCollection<RawBsonDocument> target = client.getDatabase("scale_dst").getCollection("events", RawBsonDocument.class);
            assertEquals(DOCUMENTS, target.countDocuments());
            assertEquals(List.of("events"), client.getDatabase("scale_dst").listCollectionNames().into(new ArrayList<>()),
                    "no temporary left");
            Random random = new Random(42);
            List<Integer> sample = new ArrayList<>(List.of(0, 1, DOCUMENTS / 2, DOCUMENTS - 1));
            for (int i = 0; i < 200; i++) {
                sample.add(random.nextInt(DOCUMENTS));
            }
            for (int id : sample) {
                RawBsonDocument expected = source.find(Filters.eq("_id", id)).first();
                RawBsonDocument actual = target.find(Filters.eq("_id", id)).first();
                assertNotNull(expected, "source document " + id);
                assertNotNull(actual, "imported document " + id);
                assertArrayEquals(EveryBsonType.bytes(expected), EveryBsonType.bytes(actual), "document " + id);
            }
            System.out.printf("scale: verified count and %d sampled documents in %,d ms%n", sample.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - verifyStart));
        }
    }

    /** Inserts the documents, ~1 KB each, and returns their total BSON size. */
    private static long seed(MongoCollection<RawBsonDocument> collection) {
        Random random = new Random(7);
        char[] alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ".toCharArray();
        long bytes = 0;
        List<RawBsonDocument> batch = new ArrayList<>(BATCH);
        for (int id = 0; id < DOCUMENTS; id++) {
            char[] payload = new char[PAYLOAD_CHARS];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = alphabet[random.nextInt(alphabet.length)];
            }
            BsonDocument document = new BsonDocument("_id", new BsonInt32(id))
                    .append("oid", new BsonObjectId(new ObjectId()))
                    .append("seq", new BsonInt64(id * 31L))
                    .append("score", new BsonDouble(random.nextGaussian()))
                    .append("at", new BsonDateTime(1_700_000_000_000L + id))
                    .append("tags", new BsonArray(List.of(new BsonString("t" + (id % 10)), new BsonInt32(id % 7))))
                    .append("nested", new BsonDocument("a", new BsonInt32(id)).append("b", new BsonString("n" + id)))
                    .append("payload", new BsonString(new String(payload)));
            RawBsonDocument raw = EveryBsonType.raw(document);
            bytes += raw.getByteBuffer().remaining();
            batch.add(raw);
            if (batch.size() == BATCH) {
                collection.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            collection.insertMany(batch);
        }
        return bytes;
    }

    private static ChildResult runChild(String connectionString, String source, String target, Path file)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), CHILD_HEAP, "-cp", System.getProperty("java.class.path"),
                StreamingChildMain.class.getName(), connectionString, source, target, file.toString(),
                Integer.toString(BATCH));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        // Read on another thread so the pipe never fills and a hung child cannot block us past the timeout.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> echo(child));
        if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish within " + CHILD_TIMEOUT_SECONDS + " s:\n"
                    + output.getNow("(no output)"));
        }
        return new ChildResult(child.exitValue(), output.join());
    }

    /** Prints the child's lines as they come, and returns them all. */
    private static String echo(Process child) {
        StringBuilder all = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("scale child: " + line);
                all.append(line).append('\n');
            }
        } catch (IOException e) {
            all.append("(output unreadable: ").append(e).append(")\n");
        }
        return all.toString();
    }

    private record ChildResult(int exitCode, String output) {

        /** The numeric {@code key=value} fields of the output line starting with {@code prefix}. */
        Map<String, Long> fields(String prefix) {
            for (String line : output.split("\n")) {
                if (line.startsWith(prefix)) {
                    Map<String, Long> fields = new HashMap<>();
                    for (String token : line.split(" ")) {
                        int equals = token.indexOf('=');
                        if (equals > 0) {
                            fields.put(token.substring(0, equals), Long.parseLong(token.substring(equals + 1)));
                        }
                    }
                    return fields;
                }
            }
            throw new AssertionError("no line starting with '" + prefix + "' in the child output:\n" + output);
        }
    }
}

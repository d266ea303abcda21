package io.mongocache.pooling.bulk;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongocache.common.Masking;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM with a small heap by {@link BulkStreamingScaleIT}: exports one database to a
 * file with {@link BulkTasks#exportTo}, imports the file into another with {@link
 * BulkTasks#importFrom}, and prints {@code key=value} lines the test parses. Not a test itself.
 *
 * <p>Arguments: {@code <connectionString> <sourceDatabase> <targetDatabase> <file> <batchSize>}.
 * Exits 0 on success, 1 with a stack trace otherwise.
 */
public final class StreamingChildMain {

    private StreamingChildMain() {}

    public static void main(String[] args) {
        int exitCode = 1;
        try {
            run(args);
            exitCode = 0;
        } catch (Throwable e) {
            e.printStackTrace();
        } finally {
            System.out.flush();
            // The driver's threads would keep the JVM alive.
            System.exit(exitCode);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: <connectionString> <sourceDatabase> <targetDatabase> <file> <batchSize>");
        }
        String connectionString = args[0];
        String source = args[1];
        String target = args[2];
        Path file = Path.of(args[3]);
        int batchSize = Integer.parseInt(args[4]);
        System.out.println("child maxHeapBytes=" + Runtime.getRuntime().maxMemory()
                + " mongo=" + Masking.connectionString(connectionString));
        LiveHeap liveHeap = new LiveHeap();
        try (MongoClient client = MongoClients.create(connectionString)) {
            BulkTasks tasks = new BulkTasks(client::getDatabase).batchSize(batchSize);
            ExportReport exported;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                exported = tasks.exportTo(source, out, liveHeap::sample);
            }
            print("export", exported.collections(), exported.documents(), exported.indexes(), exported.bytes(),
                    exported.elapsed().toMillis());
            System.out.println("export fileBytes=" + Files.size(file));
            ImportReport imported;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                imported = tasks.importFrom(target, in, liveHeap::sample);
            }
            print("import", imported.collections(), imported.documents(), imported.indexes(), imported.bytes(),
                    imported.elapsed().toMillis());
        }
        System.out.println("heap peakUsedBytes=" + peakHeapUsed() + " maxLiveAfterGcBytes=" + liveHeap.maxAfterGc
                + " samples=" + liveHeap.samples);
    }

    private static void print(String phase, int collections, long documents, int indexes, long bytes, long millis) {
        System.out.println(phase + " collections=" + collections + " documents=" + documents + " indexes=" + indexes
                + " bytes=" + bytes + " millis=" + millis);
    }

    /** The highest heap use seen, garbage included: the sum of the heap pools' peaks. */
    private static long peakHeapUsed() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /**
     * The heap the task really keeps alive, as opposed to garbage waiting for the collector: every
     * {@value #GC_EVERY} progress calls (batches) a full collection is forced and the heap still in
     * use after it is recorded.
     */
    private static final class LiveHeap {
        private static final int GC_EVERY = 40;
        long maxAfterGc;
        long samples;

        void sample(String collection, long collectionDocuments, long totalDocuments, long bytes) {
            samples++;
            if (samples % GC_EVERY == 0) {
                System.gc();
                maxAfterGc = Math.max(maxAfterGc, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
        }
    }
}

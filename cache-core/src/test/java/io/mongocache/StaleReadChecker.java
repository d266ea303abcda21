package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * The multi-node stale-read checker. Several nodes ({@link MongoCache} instances with their own local tier and
 * Redis connections) share one Redis and one MongoDB. Writers increment a counter field of zipfian-chosen
 * documents through a random node and log (value, node, acknowledgement time); readers read through a random
 * node and check every value:
 * <ul>
 *   <li>on the node that wrote: never older than that node's last write acknowledged before the read started;
 *   <li>on any node: never older than the newest write acknowledged more than {@code maxStaleness} before the
 *       read started.
 * </ul>
 * Since each write increments, "older" is "smaller". Point reads and non-point reads (a range query that returns
 * the same document) are both checked.
 */
final class StaleReadChecker {

    /** What a run saw. */
    record Report(long readsChecked, long violations, long writes, long hits, long loads, String firstViolation) {
        @Override
        public String toString() {
            return String.format("%d reads checked, %d violations, %d writes, hits %d, loads %d%s", readsChecked,
                    violations, writes, hits, loads, violations > 0 ? " — first: " + firstViolation : "");
        }
    }

    private final List<MongoCache> nodes;
    private final List<CachedCollection<Document>> collections = new ArrayList<>();
    private final int keys;
    private final long maxStalenessNanos;
    private final double[] cumulative;
    private final List<List<long[]>> log = new ArrayList<>();
    private final boolean uncached;

    StaleReadChecker(List<MongoCache> nodes, MongoCollection<Document> raw, int keys, Duration maxStaleness) {
        this(nodes, raw, keys, maxStaleness, false);
    }

    /** With {@code uncached}, every read bypasses the cache: a calibration of the checker and the server. */
    StaleReadChecker(List<MongoCache> nodes, MongoCollection<Document> raw, int keys, Duration maxStaleness,
            boolean uncached) {
        this.nodes = nodes;
        this.uncached = uncached;
        this.keys = keys;
        this.maxStalenessNanos = maxStaleness.toNanos();
        for (MongoCache node : nodes) {
            collections.add(uncached ? node.wrap(raw).noCache() : node.wrap(raw));
        }
        List<Document> docs = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            docs.add(new Document("_id", k).append("v", 0L));
            log.add(new ArrayList<>());
        }
        raw.insertMany(docs);
        cumulative = new double[keys];
        double sum = 0;
        for (int k = 0; k < keys; k++) {
            sum += 1.0 / Math.pow(k + 1, 0.99);
            cumulative[k] = sum;
        }
        for (int k = 0; k < keys; k++) {
            cumulative[k] /= sum;
        }
    }

    private int zipf(Random random) {
        int index = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(keys - 1, index >= 0 ? index : -index - 1);
    }

    /** Runs writers and readers for {@code duration}, then reports. */
    Report run(Duration duration, int writers, int readers) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong checked = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        StringBuilder first = new StringBuilder();
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            futures.add(pool.submit(() -> {
                Random random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int node = random.nextInt(nodes.size());
                    int key = zipf(random);
                    Document after = collections.get(node).findOneAndUpdate(eq("_id", key), Updates.inc("v", 1L),
                            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
                    long ack = System.nanoTime();
                    List<long[]> entries = log.get(key);
                    synchronized (entries) {
                        entries.add(new long[] {ack, after.getLong("v"), node});
                    }
                    writes.incrementAndGet();
                    sleepQuietly(random.nextInt(3));
                }
                return null;
            }));
        }
        for (int r = 0; r < readers; r++) {
            futures.add(pool.submit(() -> {
                Random random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int node = random.nextInt(nodes.size());
                    int key = zipf(random);
                    boolean pointRead = random.nextInt(5) != 0;
                    long start = System.nanoTime();
                    Document doc = pointRead ? collections.get(node).find(eq("_id", key)).first()
                            : collections.get(node).find(gte("_id", key)).sort(Sorts.ascending("_id")).limit(1).first();
                    long value = doc.getLong("v");
                    long own = 0;
                    long anyone = 0;
                    List<long[]> entries = log.get(key);
                    synchronized (entries) {
                        for (long[] e : entries) {
                            if (e[0] < start && e[2] == node) {
                                own = Math.max(own, e[1]);
                            }
                            if (e[0] < start - maxStalenessNanos) {
                                anyone = Math.max(anyone, e[1]);
                            }
                        }
                    }
                    checked.incrementAndGet();
                    if (value < Math.max(own, anyone)) {
                        if (violations.incrementAndGet() == 1) {
                            synchronized (first) {
                                first.append(String.format("node %d %s read of key %d saw v=%d, own bound %d,"
                                        + " staleness bound %d", node, pointRead ? "point" : "range", key, value,
                                        own, anyone));
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        long hits = 0;
        long loads = 0;
        for (MongoCache node : nodes) {
            NamespaceStats stats = node.stats().totals();
            hits += stats.l1Hits() + stats.l2Hits();
            loads += stats.loads();
        }
        return new Report(checked.get(), violations.get(), writes.get(), hits, loads, first.toString());
    }

    private static void sleepQuietly(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

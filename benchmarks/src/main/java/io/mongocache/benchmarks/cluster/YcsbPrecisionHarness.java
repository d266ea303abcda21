package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.bson.Document;
import site.ycsb.generator.ScrambledZipfianGenerator;

/**
 * Does precision pay? YCSB core workloads A (50% updates) and B (5% updates) — point reads and updates by
 * {@code _id}, keys from YCSB's own scrambled zipfian generator — run three ways in one process: without a cache
 * (the raw driver), with whole-namespace invalidation, and with precise invalidation. Reports throughput and the
 * point-read hit ratio (hits over hits plus loads).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.YcsbPrecisionHarness
 * [records] [seconds-per-run] [threads]}.
 */
public final class YcsbPrecisionHarness {

    /** One measured run. */
    public record Run(String workload, String mode, double opsPerSecond, double hitRatio) {}

    enum Mode { NO_CACHE, NAMESPACE, PRECISE }

    private YcsbPrecisionHarness() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        List<Run> runs = run(records, Duration.ofSeconds(seconds), threads);
        System.out.println("| workload | mode | ops/s | point-read hit ratio |");
        System.out.println("|---|---|---:|---:|");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.3f |%n", r.workload(), r.mode(), r.opsPerSecond(),
                    r.hitRatio());
        }
        System.exit(0);
    }

    public static List<Run> run(int records, Duration perRun, int threads) throws Exception {
        String redisUrl = System.getenv("REDIS_URL");
        RedisServer privateRedis = redisUrl == null ? RedisServer.start() : null;
        String uri = redisUrl != null ? redisUrl : privateRedis.uri();
        List<Run> runs = new ArrayList<>();
        try (MongoServerHandle mongo = TestMongo.startInProcess(); MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("ycsb").getCollection("usertable");
            List<Document> batch = new ArrayList<>();
            String filler = "x".repeat(100);
            for (long k = 0; k < records; k++) {
                Document doc = new Document("_id", k);
                for (int f = 0; f < 10; f++) {
                    doc.append("field" + f, filler);
                }
                batch.add(doc);
                if (batch.size() == 1000) {
                    raw.insertMany(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                raw.insertMany(batch);
            }
            for (String workload : new String[] {"A (50% updates)", "B (5% updates)"}) {
                double updateShare = workload.startsWith("A") ? 0.5 : 0.05;
                for (Mode mode : Mode.values()) {
                    runs.add(measure(workload, mode, uri, raw, records, updateShare, perRun, threads));
                }
            }
        } finally {
            if (privateRedis != null) {
                privateRedis.close();
            }
        }
        return runs;
    }

    private static Run measure(String workload, Mode mode, String redisUri, MongoCollection<Document> raw,
            int records, double updateShare, Duration perRun, int threads) throws Exception {
        MongoCache cache = mode == Mode.NO_CACHE ? null : MongoCache.builder().redis(redisUri)
                .keyPrefix("ycsb" + System.nanoTime()).maxLocalBytes(256L * 1024 * 1024)
                .preciseInvalidation(mode == Mode.PRECISE).build();
        try {
            MongoCollection<Document> collection = cache == null ? raw : cache.wrap(raw);
            if (cache != null) {
                cache.awaitInvalidations(Duration.ofSeconds(5));
            }
            ScrambledZipfianGenerator keys = new ScrambledZipfianGenerator(records);
            // Warm-up: a third of the run, not counted.
            drive(collection, keys, updateShare, perRun.dividedBy(3), threads);
            NamespaceStats before = cache == null ? NamespaceStats.EMPTY : cache.stats().totals();
            long ops = drive(collection, keys, updateShare, perRun, threads);
            double hitRatio = 0;
            if (cache != null) {
                NamespaceStats after = cache.stats().totals();
                long hits = after.l1Hits() + after.l2Hits() - before.l1Hits() - before.l2Hits();
                long loads = after.loads() - before.loads();
                hitRatio = hits + loads == 0 ? 0 : (double) hits / (hits + loads);
            }
            return new Run(workload, mode.name(), ops / (perRun.toNanos() / 1e9), hitRatio);
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
    }

    private static long drive(MongoCollection<Document> collection, ScrambledZipfianGenerator keys,
            double updateShare, Duration duration, int threads) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        LongAdder ops = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < end) {
                        long key;
                        synchronized (keys) {
                            key = keys.nextValue();
                        }
                        if (random.nextDouble() < updateShare) {
                            collection.updateOne(eq("_id", key), set("field" + random.nextInt(10),
                                    Long.toString(random.nextLong())));
                        } else {
                            collection.find(eq("_id", key)).first();
                        }
                        ops.increment();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return ops.sum();
    }
}

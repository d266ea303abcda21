package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.coordination.LeaseSettings;
import io.mongocache.coordination.WatchScope;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;

/**
 * Outside write → invalidation latency: from the acknowledgement of a write made by another program (the raw
 * driver, not the cache) to node B no longer serving the old value. Node A leads and runs the change-stream
 * watcher; B has the document in its local tier and reads in a loop. Baseline in the same run: the same write
 * made through A's cache, which invalidates directly (the fast path). Measured back to back and with 20 ms between
 * writes, since an idle watcher on a server that ignores {@code maxAwaitTime} (the in-process one) polls with
 * back-off.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar
 * io.mongocache.benchmarks.cluster.OutsideWriteLatencyHarness [iterations]}
 */
public final class OutsideWriteLatencyHarness {
    private OutsideWriteLatencyHarness() {}

    /**
     * Latencies at one gap between writes.
     *
     * @param gapMillis pause after each write
     * @param throughCache writes made through A's cache (the fast path, the baseline)
     * @param outside writes made by another program (the watcher's path)
     */
    public record Result(long gapMillis, Percentiles throughCache, Percentiles outside) {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        for (Result r : run(iterations, new long[] {0, 20})) {
            System.out.printf("gap %d ms: write through the cache -> B current: %s%n", r.gapMillis(),
                    r.throughCache().summary());
            System.out.printf("gap %d ms: outside write -> B current (watcher): %s%n", r.gapMillis(),
                    r.outside().summary());
            System.out.printf("gap %d ms: ratio p50 %.2f, p99 %.2f%n", r.gapMillis(),
                    r.outside().micros(50) / r.throughCache().micros(50),
                    r.outside().micros(99) / r.throughCache().micros(99));
        }
        System.exit(0);
    }

    public static List<Result> run(int iterations, long[] gapsMillis) throws Exception {
        try (RedisServer redis = RedisServer.start(); MongoServerHandle mongo = TestMongo.startInProcess();
                MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("outside").getCollection("docs");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                docs.add(new Document("_id", i).append("v", -1));
            }
            raw.insertMany(docs);
            try (MongoCache a = MongoCache.builder().redis(redis.uri()).keyPrefix("ow").build();
                    MongoCache b = MongoCache.builder().redis(redis.uri()).keyPrefix("ow").build();
                    Coordinator leader = Coordinator.builder().client(client).cache(a).stateDatabase("outside_state")
                            .watch(WatchScope.collections("outside.docs"))
                            .lease(new LeaseSettings(Duration.ofSeconds(15), Duration.ofSeconds(10),
                                    Duration.ofMillis(200))).start()) {
                while (leader.status().streamsOpen() == 0) {
                    Thread.sleep(10);
                }
                CachedCollection<Document> onA = a.wrap(raw);
                CachedCollection<Document> onB = b.wrap(raw);
                int[] next = {0};
                List<Result> results = new ArrayList<>();
                for (long gapMillis : gapsMillis) {
                    Percentiles through = measure(onB, iterations, gapMillis, next,
                            (key, v) -> onA.updateOne(eq("_id", key), set("v", v)));
                    Percentiles outside = measure(onB, iterations, gapMillis, next,
                            (key, v) -> raw.updateOne(eq("_id", key), set("v", v)));
                    results.add(new Result(gapMillis, through, outside));
                }
                return results;
            }
        }
    }

    private interface Write {
        void apply(int key, int value);
    }

    private static Percentiles measure(CachedCollection<Document> onB, int iterations, long gapMillis, int[] next,
            Write write) throws InterruptedException {
        Percentiles latencies = new Percentiles();
        int warmup = Math.max(50, iterations / 10);
        for (int i = 0; i < warmup + iterations; i++) {
            int value = next[0]++;
            int key = value % 100;
            onB.find(eq("_id", key)).first();
            onB.find(eq("_id", key)).first(); // in B's local tier
            write.apply(key, value);
            long acknowledged = System.nanoTime();
            while (onB.find(eq("_id", key)).first().getInteger("v") != value) {
                LockSupport.parkNanos(20_000); // never starve the threads delivering the invalidation
            }
            if (i >= warmup) {
                latencies.add(System.nanoTime() - acknowledged);
            }
            if (gapMillis > 0) {
                Thread.sleep(gapMillis);
            }
        }
        return latencies;
    }
}

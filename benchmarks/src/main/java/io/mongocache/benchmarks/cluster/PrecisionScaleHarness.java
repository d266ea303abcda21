package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.Document;

/**
 * Precision at size: cache {@code n} point reads {@code find(eq("_id", i)).first()}, make {@code writes} updates by
 * {@code _id} of random documents, then read every document again and count how many reads had to go to MongoDB.
 * Exact precision is one miss per written document; the former 4,096 id stripes per namespace made it ~25 at
 * 100,000 documents. Runs with the local tier and Redis (both must be exact).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.PrecisionScaleHarness
 * [sizes=100000,1000000] [writes=200]}.
 */
public final class PrecisionScaleHarness {

    /** One size's result. */
    public record Result(int documents, int writes, long missesAfterWrites, double missesPerWrite, long hits) {}

    private PrecisionScaleHarness() {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>(List.of(100_000, 1_000_000));
        int writes = 200;
        for (String arg : args) {
            if (arg.startsWith("sizes=")) {
                sizes.clear();
                for (String s : arg.substring(6).split(",")) {
                    sizes.add(Integer.parseInt(s));
                }
            } else if (arg.startsWith("writes=")) {
                writes = Integer.parseInt(arg.substring(7));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + " (sizes=…, writes=…)");
            }
        }
        System.out.println("| cached point reads | writes by _id | re-reads that missed | misses per write |");
        System.out.println("|---:|---:|---:|---:|");
        for (int n : sizes) {
            Result r = run(n, writes);
            System.out.printf(Locale.ROOT, "| %,d | %d | %d | %.2f |%n", r.documents(), r.writes(),
                    r.missesAfterWrites(), r.missesPerWrite());
        }
        System.exit(0);
    }

    public static Result run(int documents, int writes) throws Exception {
        try (MongoServerProcess mongo = MongoServerProcess.start("6g", false); RedisServer redis = RedisServer.start();
                MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("precision").getCollection("docs");
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < documents; i++) {
                batch.add(new Document("_id", i).append("v", 0));
                if (batch.size() == 5_000) {
                    raw.insertMany(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                raw.insertMany(batch);
            }
            try (MongoCache cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(4L << 30)
                    .defaultTtl(Duration.ofMinutes(30)).build()) {
                cache.awaitInvalidations(Duration.ofSeconds(10));
                CachedCollection<Document> c = cache.wrap(raw);
                readAll(c, documents);
                NamespaceStats before = cache.stats().totals();
                Random random = new Random(7);
                java.util.Set<Integer> written = new java.util.HashSet<>();
                for (int w = 0; w < writes; w++) {
                    int id = random.nextInt(documents);
                    written.add(id);
                    c.updateOne(eq("_id", id), set("v", w + 1));
                }
                readAll(c, documents);
                NamespaceStats d = cache.stats().totals().minus(before);
                return new Result(documents, written.size(), d.loads(), (double) d.loads() / written.size(),
                        d.l1Hits() + d.l2Hits());
            }
        }
    }

    private static void readAll(CachedCollection<Document> c, int documents) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < documents; i += threads) {
                        if (c.find(eq("_id", i)).first() == null) {
                            throw new IllegalStateException("document " + i + " is missing");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}

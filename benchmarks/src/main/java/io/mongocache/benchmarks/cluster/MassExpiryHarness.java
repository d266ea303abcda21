package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;

/**
 * Does a mass expiry spike MongoDB? {@code keys} documents are read once at the same moment (a cold start, a
 * deploy), so all their entries would expire together; then readers keep reading them at random for several TTLs.
 * Every 100 ms the harness samples how many queries the cache sent to MongoDB. Three configurations, same run:
 * no jitter and no refresh-ahead (the expiry cliff), the default 5 % TTL jitter, and 20 % jitter with refresh-ahead
 * in the last 20 % of an entry's life. Reported: the peak and the mean of MongoDB queries per 100 ms after the
 * first expiry, and the readers' p99 latency.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.MassExpiryHarness
 * [keys=5000] [ttlSeconds=4] [seconds=14] [threads=4]}.
 */
public final class MassExpiryHarness {

    /** One configuration's result. */
    public record Result(String configuration, long peakLoadsPer100ms, double meanLoadsPer100ms, double p99Micros,
            long reloads) {}

    private MassExpiryHarness() {}

    public static void main(String[] args) throws Exception {
        int keys = 5_000;
        int ttlSeconds = 4;
        int seconds = 14;
        int threads = 4;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "keys" -> keys = Integer.parseInt(kv[1]);
                case "ttlSeconds" -> ttlSeconds = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        List<Result> results = run(keys, Duration.ofSeconds(ttlSeconds), Duration.ofSeconds(seconds), threads);
        System.out.println("| configuration | peak MongoDB queries / 100 ms | mean / 100 ms | read p99 | "
                + "background reloads |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.0f µs | %d |%n", r.configuration(),
                    r.peakLoadsPer100ms(), r.meanLoadsPer100ms(), r.p99Micros(), r.reloads());
        }
        System.exit(0);
    }

    public static List<Result> run(int keys, Duration ttl, Duration duration, int threads) throws Exception {
        List<Result> out = new ArrayList<>();
        try (MongoServerProcess mongo = MongoServerProcess.start("2g"); RedisServer redis = RedisServer.start();
                MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("expiry").getCollection("docs");
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                batch.add(new Document("_id", i).append("payload", "x".repeat(200)));
            }
            raw.insertMany(batch);
            out.add(measure("no jitter, no refresh-ahead", raw, redis.uri(), keys, ttl, duration, threads, 0, 0));
            out.add(measure("5 % jitter (default)", raw, redis.uri(), keys, ttl, duration, threads, 0.05, 0));
            out.add(measure("20 % jitter + refresh-ahead 20 %", raw, redis.uri(), keys, ttl, duration, threads, 0.2,
                    0.2));
        }
        return out;
    }

    private static Result measure(String name, MongoCollection<Document> raw, String redisUri, int keys, Duration ttl,
            Duration duration, int threads, double jitter, double refreshAhead) throws Exception {
        try (MongoCache cache = MongoCache.builder().redis(redisUri).keyPrefix("exp" + System.nanoTime())
                .defaultTtl(ttl).ttlJitter(jitter).refreshAhead(refreshAhead).build()) {
            cache.awaitInvalidations(Duration.ofSeconds(10));
            CachedCollection<Document> c = cache.wrap(raw);
            // Everything loaded at once: a cold start.
            for (int i = 0; i < keys; i++) {
                c.find(eq("_id", i)).first();
            }
            long loaded = System.nanoTime();
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> latencies = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] samples = new long[4_000_000];
                latencies.add(samples);
                Thread reader = new Thread(() -> {
                    int n = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        c.find(eq("_id", random.nextInt(keys))).first();
                        if (n < samples.length) {
                            samples[n++] = System.nanoTime() - start;
                        }
                    }
                    samples[samples.length - 1] = n;
                });
                readers.add(reader);
                reader.start();
            }
            List<Long> perBucket = new ArrayList<>();
            long previous = cache.stats().totals().loads();
            long end = loaded + duration.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(100);
                long now = cache.stats().totals().loads();
                perBucket.add(now - previous);
                previous = now;
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            // From just before the first possible expiry on.
            int from = (int) Math.max(0, ttl.toMillis() * (1 - Math.max(jitter, refreshAhead)) / 100 - 1);
            List<Long> window = perBucket.subList(Math.min(from, perBucket.size()), perBucket.size());
            long peak = window.stream().mapToLong(Long::longValue).max().orElse(0);
            double mean = window.stream().mapToLong(Long::longValue).average().orElse(0);
            long total = 0;
            for (long[] s : latencies) {
                total += Math.min(s[s.length - 1], s.length - 1);
            }
            long[] all = new long[(int) total];
            int at = 0;
            for (long[] s : latencies) {
                int n = (int) Math.min(s[s.length - 1], s.length - 1);
                System.arraycopy(s, 0, all, at, n);
                at += n;
            }
            Arrays.sort(all);
            double p99 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.99)] / 1e3;
            return new Result(name, peak, mean, p99, cache.stats().totals().reloads());
        }
    }
}

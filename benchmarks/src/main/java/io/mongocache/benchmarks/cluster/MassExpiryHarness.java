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
 * deploy), so all their entries would expire together; then readers keep reading them at random at a fixed total
 * rate (open loop: a reader that falls behind does not slow the arrivals down, as with real users) for several TTLs.
 * Every 100 ms the harness samples how many queries the cache sent to MongoDB. Four configurations, same run: no
 * jitter (the expiry cliff), the default 5 % TTL jitter, 20 % jitter, and 20 % jitter with refresh-ahead in the last
 * 20 % of an entry's life. Reported: the peak and the mean of MongoDB queries per 100 ms after the first expiry,
 * the reads that had to wait for MongoDB, and the readers' p99 latency.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.MassExpiryHarness
 * [keys=2000] [ttlSeconds=60] [seconds=75] [threads=4] [rate=8000]}.
 */
public final class MassExpiryHarness {

    /** One configuration's result. */
    public record Result(String configuration, long peakLoadsPer100ms, double meanLoadsPer100ms, double p99Micros,
            long reloads, long readerMisses) {}

    private MassExpiryHarness() {}

    public static void main(String[] args) throws Exception {
        // A TTL of a minute: jitter spreads expiries over a fraction of the TTL, so a TTL of a few seconds would
        // leave a window too short for any jitter to bring the reload rate under what MongoDB can serve.
        int keys = 2_000;
        int ttlSeconds = 60;
        int seconds = 75;
        int threads = 4;
        int rate = 8_000;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "keys" -> keys = Integer.parseInt(kv[1]);
                case "ttlSeconds" -> ttlSeconds = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "rate" -> rate = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        List<Result> results = run(keys, Duration.ofSeconds(ttlSeconds), Duration.ofSeconds(seconds), threads, rate);
        System.out.println("| configuration | peak MongoDB queries / 100 ms | mean / 100 ms | reads that waited for "
                + "MongoDB | read p99 | background reloads |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %d | %.0f µs | %d |%n", r.configuration(),
                    r.peakLoadsPer100ms(), r.meanLoadsPer100ms(), r.readerMisses(), r.p99Micros(), r.reloads());
        }
        System.exit(0);
    }

    public static List<Result> run(int keys, Duration ttl, Duration duration, int threads, int rate)
            throws Exception {
        List<Result> out = new ArrayList<>();
        try (MongoServerProcess mongo = MongoServerProcess.start("2g", false); RedisServer redis = RedisServer.start();
                MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("expiry").getCollection("docs");
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                batch.add(new Document("_id", i).append("payload", "x".repeat(200)));
            }
            raw.insertMany(batch);
            out.add(measure("no jitter", raw, redis.uri(), keys, ttl, duration, threads, rate, 0, 0));
            out.add(measure("5 % jitter (default)", raw, redis.uri(), keys, ttl, duration, threads, rate, 0.05, 0));
            out.add(measure("20 % jitter", raw, redis.uri(), keys, ttl, duration, threads, rate, 0.2, 0));
            out.add(measure("20 % jitter + refresh-ahead 20 %", raw, redis.uri(), keys, ttl, duration, threads, rate,
                    0.2, 0.2));
        }
        return out;
    }

    private static Result measure(String name, MongoCollection<Document> raw, String redisUri, int keys, Duration ttl,
            Duration duration, int threads, int rate, double jitter, double refreshAhead) throws Exception {
        try (MongoCache cache = MongoCache.builder().redis(redisUri).keyPrefix("exp" + System.nanoTime())
                .defaultTtl(ttl).ttlJitter(jitter).refreshAhead(refreshAhead).build()) {
            cache.awaitInvalidations(Duration.ofSeconds(10));
            CachedCollection<Document> c = cache.wrap(raw);
            // Everything loaded at once: a cold start.
            long coldStart = System.nanoTime();
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
                long interval = 1_000_000_000L * threads / rate;
                Thread reader = new Thread(() -> {
                    int n = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        next += interval;
                        // Latency from the intended start: a reader that fell behind counts its queueing too.
                        long start = Math.min(System.nanoTime(), next - interval);
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
            io.mongocache.NamespaceStats startStats = cache.stats().totals();
            long previous = startStats.loads();
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
            // From just before the first possible expiry on: the first entry was installed when the cold start
            // began, before the sampling did.
            long firstExpiryMillis = (long) (ttl.toMillis() * (1 - Math.max(jitter, refreshAhead)))
                    - (loaded - coldStart) / 1_000_000;
            int from = (int) Math.max(0, firstExpiryMillis / 100 - 1);
            List<Long> window = perBucket.subList(Math.min(from, perBucket.size()), perBucket.size());
            long peak = perBucket.stream().mapToLong(Long::longValue).max().orElse(0);
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
            io.mongocache.NamespaceStats d = cache.stats().totals().minus(startStats);
            return new Result(name, peak, mean, p99, d.reloads(), d.loads() - d.reloads());
        }
    }
}

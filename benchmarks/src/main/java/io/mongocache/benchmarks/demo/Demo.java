package io.mongocache.benchmarks.demo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CacheStats;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheBuilder;
import io.mongocache.NamespaceStats;
import io.mongocache.benchmarks.Users;
import io.mongocache.common.Masking;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.io.File;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.bson.Document;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;

/**
 * The demo: a read-mostly workload on 20,000 user profiles, run once through mongocache and once straight
 * against MongoDB, with the latencies, the hits per tier and the speed-up printed at the end.
 *
 * <p>It needs nothing but a JDK and Maven: MongoDB is the in-process {@code mongo-java-server}; Redis is the
 * server named by {@code REDIS_URL}, else a private {@code redis-server} started for the demo if one is on the
 * {@code PATH}, else there is no shared tier and the demo says so and runs with L1 only.
 *
 * <p>Run with {@code mvn -B -q -Pdemo -DskipTests package} (from the repository root), or with
 * {@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.demo.Demo}. Knobs (system
 * properties): {@code demo.users} (20000), {@code demo.ops} (operations per run, 50000), {@code demo.seconds}
 * (time cap per run, 10), {@code demo.writes} (share of writes, 0.10), {@code demo.userWriteShare} (share of
 * the writes that update a user rather than insert an order, 0.5), {@code demo.zipf} (skew, 0.99),
 * {@code demo.l1Bytes} (8 MiB).
 *
 * <p>About the writes: every write through a cached collection invalidates what it may have changed before it
 * returns, on this node and in Redis. With precise invalidation (the default) a write by {@code _id} invalidates
 * only point reads of that id; with {@code preciseInvalidation(false)}, every cached read of the collection. The
 * demo says which applies. {@code -Ddemo.userWriteShare=0}
 * sends all writes to {@code demo.orders}, leaving {@code demo.users} read-only; 1 sends them all to users.
 */
public final class Demo {

    private static final int USERS = Integer.getInteger("demo.users", 20_000);
    private static final int OPS = Integer.getInteger("demo.ops", 50_000);
    private static final int SECONDS = Integer.getInteger("demo.seconds", 10);
    private static final double WRITES = doubleProperty("demo.writes", 0.10);
    private static final double USER_WRITE_SHARE = doubleProperty("demo.userWriteShare", 0.5);
    private static final double ZIPF_S = doubleProperty("demo.zipf", 0.99);
    private static final long L1_BYTES = Long.getLong("demo.l1Bytes", 8L * 1024 * 1024);
    private static final int WARMUP_OPS = 5_000;
    private static final int RESTART_READS = 5_000;
    private static final long WORKLOAD_SEED = 42;

    private static final byte READ = 0;
    private static final byte ORDER = 1;
    private static final byte USER_UPDATE = 2;

    private Demo() {}

    /** One run's measurements. */
    private static final class Run {
        final String name;
        final Latencies reads = new Latencies();
        final Latencies writes = new Latencies();
        long elapsedNanos;
        int ops;

        Run(String name) {
            this.name = name;
        }

        double opsPerSecond() {
            return ops / (elapsedNanos / 1e9);
        }
    }

    /** The precomputed operation sequence, identical for both runs. */
    private record Workload(byte[] kinds, int[] users) {}

    /** Where the shared tier comes from; {@code uri} null means L1 only. */
    private record RedisChoice(String uri, String description, RedisServer owned) {}

    public static void main(String[] args) throws Exception {
        System.out.println();
        System.out.println("mongocache demo — a two-tier cache (Caffeine L1 + Redis L2) in front of the MongoDB driver");
        System.out.println();
        MongoServerHandle mongo = null;
        RedisChoice redis = null;
        MongoClient client = null;
        MongoCache cache = null;
        try {
            mongo = TestMongo.startInProcess();
            System.out.println("  MongoDB : in-process mongo-java-server at " + mongo.connectionString()
                    + " (no mongod needed; its latencies are loopback + an in-memory engine)");
            redis = chooseRedis();
            System.out.println("  Redis   : " + redis.description());

            client = mongo.newClient();
            MongoDatabase db = client.getDatabase("demo");
            MongoCollection<Document> rawUsers = db.getCollection("users");
            MongoCollection<Document> rawOrders = db.getCollection("orders");

            long loadStart = System.nanoTime();
            List<ObjectId> ids = Users.load(rawUsers, USERS, Users.SEED);
            System.out.printf(Locale.ROOT, "  Data    : %,d users (~%,d bytes of BSON each) loaded into demo.users in %.1f s%n",
                    USERS, Users.meanBsonBytes(Users.SEED, Math.min(USERS, 500)),
                    (System.nanoTime() - loadStart) / 1e9);

            cache = buildCache(redis.uri());
            boolean redisUp = redis.uri() != null && cache.stats().redisAvailable();
            if (redis.uri() != null && !redisUp) {
                System.out.println("            (Redis does not answer yet: the cache serves from L1 and MongoDB until it does)");
            }
            System.out.printf(Locale.ROOT, "  Cache   : L1 %s (Caffeine)%s, default TTL 5 min%n", bytes(L1_BYTES),
                    redis.uri() == null ? ", no L2 (L1 only)" : " + L2 Redis");
            CachedCollection<Document> users = cache.wrap(rawUsers);
            CachedCollection<Document> orders = cache.wrap(rawOrders);

            Workload workload = workload(ids.size());
            double userWrites = WRITES * USER_WRITE_SHARE;
            System.out.printf(Locale.ROOT, "  Workload: %,d ops per run (at most %d s), one thread, zipfian keys (s=%.2f) over %,d users:%n",
                    OPS, SECONDS, ZIPF_S, USERS);
            System.out.printf(Locale.ROOT, "            %.0f%% reads  users.find(eq(\"_id\", id)).first()%n", 100 * (1 - WRITES));
            if (userWrites > 0) {
                System.out.printf(Locale.ROOT, "            %.1f%% writes orders.insertOne(...)   %.1f%% writes users.updateOne(eq(\"_id\", id), ...)%n",
                        100 * (WRITES - userWrites), 100 * userWrites);
            } else {
                System.out.printf(Locale.ROOT, "            %.0f%% writes orders.insertOne(...)  (an order for the chosen user; demo.users is read-mostly)%n",
                        100 * WRITES);
            }
            System.out.println(cache.config().preciseInvalidation()
                    ? "            (invalidation is precise: a write by _id invalidates only point reads of that id)"
                    : "            (invalidation is per collection: preciseInvalidation(false), so a write invalidates every"
                            + " cached read of its collection)");
            System.out.println();

            System.out.printf(Locale.ROOT, "Warming up the JIT (%,d ops each way, not measured) ...%n", WARMUP_OPS);
            execute("warm-up", workload, WARMUP_OPS, rawUsers, rawOrders, ids, false);
            execute("warm-up", workload, WARMUP_OPS, users, orders, ids, false);
            cache.invalidateAll();

            Run uncached = execute("uncached", workload, OPS, rawUsers, rawOrders, ids, true);
            // The uncached run wrote behind the cache's back: forget everything before the cached run.
            cache.invalidateAll();
            NamespaceStats before = cache.stats().namespace("demo.users");
            Run cached = execute("cached", workload, OPS, users, orders, ids, true);
            CacheStats afterStats = cache.stats();
            NamespaceStats during = minus(afterStats.namespace("demo.users"), before);

            System.out.println();
            report(uncached, cached, during, afterStats);

            if (redis.uri() != null && afterStats.redisAvailable()) {
                cache = restartedNode(cache, redis.uri(), rawUsers, workload, ids);
            }
            System.out.println();
            System.out.println("Done.");
        } finally {
            closeQuietly(cache);
            closeQuietly(client);
            closeQuietly(mongo);
            if (redis != null) {
                closeQuietly(redis.owned());
            }
        }
        awaitOwnThreads();
    }

    private static MongoCache buildCache(String redisUri) {
        // A prefix of its own per run: an external Redis may hold entries of an earlier run of the demo, whose
        // data differed (the in-process MongoDB starts afresh each time).
        String prefix = "mcdemo-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36).substring(0, 8);
        MongoCacheBuilder builder = MongoCache.builder()
                .maxLocalBytes(L1_BYTES)
                .defaultTtl(Duration.ofMinutes(5))
                .keyPrefix(prefix);
        if (redisUri != null) {
            builder.redis(redisUri);
        }
        return builder.build();
    }

    private static RedisChoice chooseRedis() {
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            return new RedisChoice(url.trim(), "REDIS_URL = " + Masking.connectionString(url.trim()), null);
        }
        String executable = System.getProperty("mongocache.redis-server", "redis-server");
        File binary = findExecutable(executable);
        if (binary == null) {
            String missing = executable.contains(File.separator) ? "no executable " + executable
                    : "no " + executable + " on the PATH";
            return new RedisChoice(null, "none — REDIS_URL is not set and there is " + missing
                    + ", so this demo runs with L1 only (set REDIS_URL or install redis-server for L2)", null);
        }
        try {
            RedisServer server = RedisServer.start();
            return new RedisChoice(server.uri(), "private redis-server at " + server.uri() + " (" + binary
                    + ", started for this demo; set REDIS_URL to use another)", server);
        } catch (RuntimeException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
            return new RedisChoice(null, "none — " + binary + " did not start (" + reason
                    + "), so this demo runs with L1 only", null);
        }
    }

    private static Workload workload(int userCount) {
        Random random = new Random(WORKLOAD_SEED);
        Zipf zipf = new Zipf(userCount, ZIPF_S);
        // Popularity is unrelated to insertion order: rank r is user permutation[r].
        List<Integer> permutation = new ArrayList<>(userCount);
        for (int i = 0; i < userCount; i++) {
            permutation.add(i);
        }
        Collections.shuffle(permutation, random);
        int total = Math.max(OPS, WARMUP_OPS);
        byte[] kinds = new byte[total];
        int[] users = new int[total];
        for (int i = 0; i < total; i++) {
            users[i] = permutation.get(zipf.sample(random));
            double kind = random.nextDouble();
            kinds[i] = kind >= WRITES ? READ : kind < WRITES * USER_WRITE_SHARE ? USER_UPDATE : ORDER;
        }
        return new Workload(kinds, users);
    }

    /** Runs the first {@code ops} operations of the workload (or as many as fit in the time cap). */
    private static Run execute(String name, Workload workload, int ops, MongoCollection<Document> users,
            MongoCollection<Document> orders, List<ObjectId> ids, boolean progress) {
        Run run = new Run(name);
        long start = System.nanoTime();
        long deadline = start + SECONDS * 1_000_000_000L;
        long nextReport = start + 1_000_000_000L;
        int done = 0;
        for (int i = 0; i < ops; i++) {
            ObjectId id = ids.get(workload.users()[i]);
            byte kind = workload.kinds()[i];
            long t0 = System.nanoTime();
            switch (kind) {
                case READ -> {
                    if (users.find(eq("_id", id)).first() == null) {
                        throw new IllegalStateException("user " + id + " vanished");
                    }
                }
                case ORDER -> orders.insertOne(order(id, i));
                default -> users.updateOne(eq("_id", id),
                        combine(set("lastLoginAt", new Date()), inc("n", 1)));
            }
            long t1 = System.nanoTime();
            (kind == READ ? run.reads : run.writes).add(t1 - t0);
            done++;
            if (progress && t1 >= nextReport) {
                double seconds = (t1 - start) / 1e9;
                System.out.printf(Locale.ROOT, "  [%-8s] %4.1f s %,9d ops %,9.0f ops/s   reads p50 %8.1f µs%n", name,
                        seconds, done, done / seconds, run.reads.percentileMicros(50));
                nextReport += 1_000_000_000L;
            }
            if (t1 > deadline) {
                break;
            }
        }
        run.elapsedNanos = System.nanoTime() - start;
        run.ops = done;
        if (progress) {
            System.out.printf(Locale.ROOT, "  [%-8s] finished: %,d ops in %.1f s%n", name, done, run.elapsedNanos / 1e9);
        }
        return run;
    }

    private static Document order(ObjectId user, int i) {
        return new Document("userId", user)
                .append("items", 1 + i % 5)
                .append("total", new Decimal128(BigDecimal.valueOf(1_000 + (i * 7919L) % 40_000, 2)))
                .append("status", "placed")
                .append("placedAt", new Date());
    }

    private static void report(Run uncached, Run cached, NamespaceStats stats, CacheStats all) {
        System.out.printf(Locale.ROOT, "Results                      %12s %12s%n", "uncached", "cached");
        row("reads   p50 (µs)", uncached.reads.percentileMicros(50), cached.reads.percentileMicros(50));
        row("reads   p99 (µs)", uncached.reads.percentileMicros(99), cached.reads.percentileMicros(99));
        row("reads   mean (µs)", uncached.reads.meanMicros(), cached.reads.meanMicros());
        row("writes  p50 (µs)", uncached.writes.percentileMicros(50), cached.writes.percentileMicros(50));
        row("writes  p99 (µs)", uncached.writes.percentileMicros(99), cached.writes.percentileMicros(99));
        row("throughput (ops/s)", uncached.opsPerSecond(), cached.opsPerSecond());
        System.out.printf(Locale.ROOT, "  %-26s %12s %12s%n", "operations (reads/writes)",
                uncached.reads.count() + "/" + uncached.writes.count(), cached.reads.count() + "/" + cached.writes.count());
        System.out.println();
        System.out.printf(Locale.ROOT, "Speed-up with the cache: reads p50 %.1fx, reads p99 %.1fx, reads mean %.1fx, throughput %.1fx%n",
                uncached.reads.percentileMicros(50) / cached.reads.percentileMicros(50),
                uncached.reads.percentileMicros(99) / cached.reads.percentileMicros(99),
                uncached.reads.meanMicros() / cached.reads.meanMicros(),
                cached.opsPerSecond() / uncached.opsPerSecond());
        System.out.println();
        long served = stats.l1Hits() + stats.l2Hits() + stats.loads();
        System.out.printf(Locale.ROOT, "Cache, demo.users, cached run: L1 hits %,d | L2 hits %,d | loads from MongoDB %,d"
                + " | hit ratio %.1f%%%n", stats.l1Hits(), stats.l2Hits(), stats.loads(),
                served == 0 ? 0.0 : 100.0 * (stats.l1Hits() + stats.l2Hits()) / served);
        System.out.printf(Locale.ROOT, "                               L2 misses %,d | L2 errors %,d | invalidations %,d"
                + " | mean load %.1f µs | L1 now %s%n", stats.l2Misses(), stats.l2Errors(), stats.invalidations(),
                stats.loads() == 0 ? 0.0 : stats.loadTimeNanos() / 1_000.0 / stats.loads(), bytes(stats.l1Bytes()));
        System.out.println("                               Redis in use: " + all.redisAvailable());
    }

    /**
     * A second life of this application node: a new MongoCache (cold L1) on the same Redis reads the hot keys
     * again, as a restarted or newly added node would. Whatever the previous node loaded since the last write
     * to demo.users is served from Redis instead of MongoDB.
     */
    private static MongoCache restartedNode(MongoCache old, String redisUri, MongoCollection<Document> rawUsers,
            Workload workload, List<ObjectId> ids) {
        String prefix = old.config().keyPrefix();
        old.close();
        MongoCache fresh = MongoCache.builder().maxLocalBytes(L1_BYTES).defaultTtl(Duration.ofMinutes(5))
                .keyPrefix(prefix).redis(redisUri).build();
        Latencies reads = new Latencies();
        int n = Math.min(RESTART_READS, workload.users().length);
        try {
            CachedCollection<Document> users = fresh.wrap(rawUsers);
            for (int i = 0; i < n; i++) {
                ObjectId id = ids.get(workload.users()[i]);
                long t0 = System.nanoTime();
                users.find(eq("_id", id)).first();
                reads.add(System.nanoTime() - t0);
            }
        } catch (RuntimeException | Error e) {
            fresh.close();
            throw e;
        }
        NamespaceStats s = fresh.stats().namespace("demo.users");
        System.out.println();
        System.out.printf(Locale.ROOT, "Node restart (new MongoCache, empty L1, same Redis), %,d reads, no writes:%n", n);
        System.out.printf(Locale.ROOT, "  L1 hits %,d | L2 hits %,d | loads %,d | reads p50 %.1f µs, p99 %.1f µs%n",
                s.l1Hits(), s.l2Hits(), s.loads(), reads.percentileMicros(50), reads.percentileMicros(99));
        System.out.println("  (L2 serves what the previous life loaded and no later write invalidated; every node of a"
                + " deployment shares it)");
        return fresh;
    }

    private static void row(String label, double uncached, double cached) {
        System.out.printf(Locale.ROOT, "  %-26s %,12.1f %,12.1f%n", label, uncached, cached);
    }

    private static NamespaceStats minus(NamespaceStats a, NamespaceStats b) {
        return a.minus(b).withL1Bytes(a.l1Bytes());
    }

    private static String bytes(long n) {
        if (n >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1024.0 / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }

    private static File findExecutable(String name) {
        if (name.contains(File.separator)) {
            File file = new File(name);
            return file.canExecute() ? file : null;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File file = new File(dir, name);
            if (file.isFile() && file.canExecute()) {
                return file;
            }
        }
        return null;
    }

    private static double doubleProperty(String name, double fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : Double.parseDouble(value.trim());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("demo: closing " + closeable + " failed: " + e);
        }
    }

    /**
     * Under {@code mvn exec:java} the demo runs inside Maven, which waits for the demo's non-daemon threads
     * after {@code main} returns. Everything was closed above, so they should be gone; wait a little for them,
     * and if one is stuck, say which and exit rather than hang the build.
     */
    private static void awaitOwnThreads() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Thread> lingering = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t != Thread.currentThread() && t.isAlive() && !t.isDaemon()
                        && t.getThreadGroup() == Thread.currentThread().getThreadGroup()) {
                    lingering.add(t);
                }
            }
            if (lingering.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                System.err.println("demo: threads still running after cleanup, exiting: " + lingering);
                System.exit(0);
            }
            Thread.sleep(100);
        }
    }
}

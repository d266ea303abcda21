package io.mongocache.benchmarks;

import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheBuilder;
import io.mongocache.NamespaceStats;
import io.mongocache.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import static com.mongodb.client.model.Filters.eq;

/**
 * The miss path: {@code users.find(eq("_id", id)).first()} when the cache cannot answer, against the raw
 * driver's identical call on the same data and the same key sequence, and against the raw driver after one Lettuce
 * sync {@code GET} — the bound for a miss that must ask Redis first. Two variants of ours: L1 only, and L1 + Redis,
 * where a miss also pays the Redis lookup (one round trip: the era's, the namespace's and the document's tokens and
 * the entry, native commands written with one flush) and the install (the entry and its tokens' expiry, written with
 * one flush and not waited for).
 *
 * <p>How every read is made a miss, honestly: the benchmark walks a shuffled sequence of {@code docs} distinct
 * {@code _id}s (20,000 by default, ~26 MB of entries against an 8 MiB local tier), so within one lap no key is
 * read twice. When a lap ends, {@code cache.invalidateAll()} runs in an invocation-level setup, outside the
 * measured time, and makes everything of the previous lap unservable in both tiers (a generation bump locally,
 * the era token deleted in Redis). So each measured read is a genuine miss that does all a real miss does —
 * key building, the L1 lookup, the Redis lookup, the load from MongoDB, copying the BSON, the L1 install (with
 * Caffeine evicting to stay under its bound) and the Redis install — and nothing else: no invalidation write and
 * no {@code noCache()} bypass is measured. This does not depend on timing; each iteration's teardown checks
 * the statistics and fails the run if a single read was a hit.
 *
 * <p>The state is per thread (each thread gets its own servers and cache), so running it with more threads
 * keeps every read a miss; by default it runs on one thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
@State(Scope.Thread)
public class MissBenchmark {

    public enum Impl {
        /** The driver's find(eq("_id", id)).first(), no cache. */
        RAW_DRIVER,
        /** mongocache, L1 only: a miss is key + L1 lookup + load + L1 install. */
        MONGOCACHE_L1,
        /** One Lettuce sync GET, then the driver's find: "raw + one Redis round trip". */
        RAW_DRIVER_PLUS_REDIS_GET,
        /** mongocache, L1 + Redis: a miss also pays the lookup round trip and an asynchronous install. */
        MONGOCACHE_L1_L2
    }

    private static final byte[] PROBE_KEY = "bench:{bench.users}:probe".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Param({"RAW_DRIVER", "RAW_DRIVER_PLUS_REDIS_GET", "MONGOCACHE_L1", "MONGOCACHE_L1_L2"})
    public Impl impl;

    /**
     * Loopback (the default), or MongoDB and Redis each behind a 250 µs-each-way latency proxy: where a round trip
     * costs what it does on a network rather than the client's CPU, this shows the miss's structure (one Redis round
     * trip before MongoDB, none after) rather than its CPU work on the benchmark's shared vCPUs.
     */
    @Param("LOOPBACK")
    public Network network;

    /** Distinct users per lap: the number of consecutive reads that are guaranteed misses without help. */
    @Param("20000")
    public int docs;

    private MongoFixture fixture;
    private RedisServer redis;
    private io.mongocache.testing.LatencyProxyProcess redisLink;
    private RawRedis rawRedis;
    private io.lettuce.core.api.sync.RedisCommands<byte[], byte[]> commands;
    private MongoCache cache;
    private MongoCollection<Document> raw;
    private CachedCollection<Document> users;
    private ObjectId[] ids;
    private int next;
    private boolean lapEnded;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = MongoFixture.start(docs, network);
        ids = fixture.shuffledIds(3);
        raw = fixture.users();
        if (impl == Impl.RAW_DRIVER_PLUS_REDIS_GET) {
            rawRedis = RawRedis.start(network);
            commands = rawRedis.commands();
            commands.set(PROBE_KEY, new byte[8]);
        }
        if (impl != Impl.RAW_DRIVER && impl != Impl.RAW_DRIVER_PLUS_REDIS_GET) {
            MongoCacheBuilder builder = MongoCache.builder()
                    .maxLocalBytes(8L * 1024 * 1024)
                    .defaultTtl(Duration.ofMinutes(5));
            if (impl == Impl.MONGOCACHE_L1_L2) {
                redis = RedisServer.start();
                redisLink = network.link(redis.port());
                builder.redis(redisLink == null ? redis.uri() : "redis://127.0.0.1:" + redisLink.port());
            }
            cache = builder.build();
            // A 30 s TTL only bounds Redis memory across laps; it does not change what a miss costs.
            users = cache.wrap(raw).cacheTTL(Duration.ofSeconds(30));
            for (int i = 0; i < Math.min(50, ids.length); i++) {
                Document ours = users.find(eq("_id", ids[i])).first();
                if (ours == null || !ours.equals(raw.find(eq("_id", ids[i])).first())) {
                    throw new IllegalStateException("cache and driver disagree on " + ids[i]);
                }
            }
            // Warm the JIT on the miss path: every key once per lap, everything forgotten after each lap.
            for (int i = 0, n = JitWarmup.ops(); i < n; i++) {
                if (i % ids.length == 0) {
                    cache.invalidateAll();
                }
                users.find(eq("_id", ids[i % ids.length])).first();
            }
            cache.invalidateAll();
            if (impl == Impl.MONGOCACHE_L1_L2 && !cache.stats().redisAvailable()) {
                throw new IllegalStateException("Redis is not in use: " + cache.stats().toJson());
            }
        }
        for (int i = 0, n = JitWarmup.ops(); i < n; i++) {
            if (commands != null) {
                commands.get(PROBE_KEY);
            }
            raw.find(eq("_id", ids[i % ids.length])).first();
        }
        if (cache != null) {
            // Lap invalidations make every warm-up read a miss too; make sure none was a hit.
            NamespaceStats warm = cache.stats().namespace(MongoFixture.NAMESPACE);
            if (warm.l1Hits() + warm.l2Hits() != 0) {
                throw new IllegalStateException("warm-up reads were hits: " + warm);
            }
        }
        next = 0;
        lapEnded = false;
    }

    /** Outside the measured time: after a full lap, forget everything so the next lap misses again. */
    @Setup(Level.Invocation)
    public void beforeRead() {
        if (lapEnded) {
            lapEnded = false;
            if (cache != null) {
                cache.invalidateAll();
            }
        }
    }

    @TearDown(Level.Iteration)
    public void checkAllMisses() {
        if (cache != null) {
            NamespaceStats stats = cache.stats().namespace(MongoFixture.NAMESPACE);
            if (stats.l1Hits() + stats.l2Hits() != 0 || stats.l2Errors() != 0 || stats.bypasses() != 0) {
                throw new IllegalStateException("the miss benchmark served hits, errors or bypasses: " + stats);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (cache != null) {
                cache.close();
            }
        } finally {
            if (redisLink != null) {
                redisLink.close();
            }
            if (redis != null) {
                redis.close();
            }
            if (rawRedis != null) {
                rawRedis.close();
            }
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Benchmark
    public Document read() {
        ObjectId id = ids[next];
        if (++next == ids.length) {
            next = 0;
            lapEnded = true;
        }
        if (impl == Impl.RAW_DRIVER) {
            return raw.find(eq("_id", id)).first();
        }
        if (impl == Impl.RAW_DRIVER_PLUS_REDIS_GET) {
            commands.get(PROBE_KEY);
            return raw.find(eq("_id", id)).first();
        }
        return users.find(eq("_id", id)).first();
    }
}

package io.mongocache.benchmarks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.result.UpdateResult;
import io.lettuce.core.api.sync.RedisCommands;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.Warmup;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

/**
 * A write: {@code updateOne(eq("_id", id), set("n", i))} through a cache with Redis — which invalidates what
 * the write may have changed, locally and in Redis: synchronously (a {@code DEL} of the document's tokens with the
 * channel's {@code PUBLISH} pipelined behind it, one round trip) or asynchronously (the write returns after MongoDB
 * and the local invalidation; a sender batches the rest) — against the raw driver, against the raw driver followed
 * by one Lettuce sync {@code SET} of an 8-byte token (the lower bound for any write that must tell Redis about
 * itself before returning), and against the peer: the driver's write, then the Redisson near cache's
 * {@code fastRemove} of the document's entry.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class WriteBenchmark {

    public enum Impl {
        /** The driver's updateOne, no cache. */
        RAW_DRIVER,
        /** The driver's updateOne, then one Lettuce sync SET: the "raw + one Redis round trip" bound. */
        RAW_DRIVER_PLUS_REDIS_SET,
        /** The driver's updateOne, then RLocalCachedMap.fastRemove(hex id): the peer's write. */
        REDISSON_PEER,
        /** updateOne through mongocache with Redis, synchronous invalidation. */
        MONGOCACHE,
        /** updateOne through mongocache with Redis, asynchronous invalidation. */
        MONGOCACHE_ASYNC
    }

    private static final byte[] TOKEN_KEY = "bench:{bench.users}:t".getBytes(StandardCharsets.UTF_8);

    @Param({"RAW_DRIVER", "RAW_DRIVER_PLUS_REDIS_SET", "REDISSON_PEER", "MONGOCACHE", "MONGOCACHE_ASYNC"})
    public Impl impl;

    /** Number of distinct users updated round-robin. */
    @Param("1000")
    public int docs;

    private MongoFixture fixture;
    private RawRedis redis;
    private RedisCommands<byte[], byte[]> commands;
    private MongoCache cache;
    private RedissonPeer peer;
    private MongoCollection<org.bson.RawBsonDocument> rawBytes;
    private String[] keys;
    private MongoCollection<Document> raw;
    private CachedCollection<Document> users;
    private ObjectId[] ids;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = MongoFixture.start(docs);
        ids = fixture.shuffledIds(4);
        raw = fixture.users();
        redis = RawRedis.start();
        commands = redis.commands();
        cache = MongoCache.builder().redis(redis.uri()).defaultTtl(Duration.ofMinutes(5))
                .invalidation(impl == Impl.MONGOCACHE_ASYNC ? io.mongocache.InvalidationMode.ASYNC
                        : io.mongocache.InvalidationMode.SYNC).build();
        peer = new RedissonPeer(redis.uri(), "peer-writes");
        rawBytes = raw.withDocumentClass(org.bson.RawBsonDocument.class);
        keys = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            keys[i] = ids[i].toHexString();
            peer.read(rawBytes, keys[i], ids[i]);
        }
        users = cache.wrap(raw);
        // Give the cache something to invalidate, as in a real application.
        for (int i = 0; i < Math.min(100, ids.length); i++) {
            users.find(eq("_id", ids[i])).first();
        }
        if (!cache.stats().redisAvailable()) {
            throw new IllegalStateException("Redis is not in use: " + cache.stats().toJson());
        }
        // Warm the JIT on all three paths alike, whichever this fork measures.
        for (int i = 0, n = JitWarmup.ops(); i < n; i++) {
            ObjectId id = ids[i % ids.length];
            raw.updateOne(eq("_id", id), set("n", -i));
            commands.set(TOKEN_KEY, new byte[8]);
            users.updateOne(eq("_id", id), set("n", -i));
            peer.write(rawBytes, keys[i % ids.length], id, set("n", -i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (cache != null) {
                NamespaceStats stats = cache.stats().namespace(MongoFixture.NAMESPACE);
                if (impl.name().startsWith("MONGOCACHE") && (stats.invalidations() == 0 || stats.l2Errors() != 0)) {
                    throw new IllegalStateException("writes did not invalidate through Redis: " + stats);
                }
                cache.close();
            }
        } finally {
            if (peer != null) {
                peer.close();
            }
            if (redis != null) {
                redis.close();
            }
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Benchmark
    public UpdateResult update(KeyCursor cursor) {
        int i = cursor.next(ids.length);
        ObjectId id = ids[i];
        long n = cursor.taken(); // always a new value: every update really modifies the document
        switch (impl) {
            case RAW_DRIVER:
                return raw.updateOne(eq("_id", id), set("n", n));
            case RAW_DRIVER_PLUS_REDIS_SET: {
                UpdateResult result = raw.updateOne(eq("_id", id), set("n", n));
                byte[] token = new byte[8];
                ThreadLocalRandom.current().nextBytes(token);
                commands.set(TOKEN_KEY, token);
                return result;
            }
            case REDISSON_PEER:
                peer.write(rawBytes, keys[i], id, set("n", n));
                return null;
            default:
                return users.updateOne(eq("_id", id), set("n", n));
        }
    }
}

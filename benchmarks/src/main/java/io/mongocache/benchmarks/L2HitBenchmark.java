package io.mongocache.benchmarks;

import io.lettuce.core.api.sync.RedisCommands;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.codecs.Decoder;
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

/**
 * An L2 hit: {@code users.find(eq("_id", id)).first()} with the local tier off ({@code maxLocalBytes(0)}), so
 * every read is answered by Redis, against a raw Lettuce sync {@code GET} of the same ~1 KB of BSON (stored
 * under a plain key at setup) followed by decoding it with the collection's codec.
 *
 * <p>Both run against one private {@code redis-server} on loopback, each over its own single Lettuce
 * connection. Ours is one {@code MGET} of the namespace token and the entry, a token comparison, and the same
 * decode; setup checks that after warming every read is an L2 hit.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class L2HitBenchmark {

    public enum Impl {
        /** Lettuce sync GET of the raw BSON + decode. */
        LETTUCE_GET,
        /** mongocache, L1 off, every read an L2 (Redis) hit. */
        MONGOCACHE
    }

    private static final String RAW_KEY_PREFIX = "bench:raw:";

    @Param({"LETTUCE_GET", "MONGOCACHE"})
    public Impl impl;

    /** Number of distinct users read round-robin. */
    @Param("1000")
    public int docs;

    private MongoFixture fixture;
    private RawRedis redis;
    private RedisCommands<byte[], byte[]> commands;
    private MongoCache cache;
    private CachedCollection<Document> users;
    private Decoder<Document> decoder;
    private ObjectId[] ids;
    private long loadsAfterWarming;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        fixture = MongoFixture.start(docs);
        ids = fixture.shuffledIds(2);
        decoder = fixture.users().getCodecRegistry().get(Document.class);
        redis = RawRedis.start();
        commands = redis.commands();
        for (ObjectId id : ids) {
            commands.set(rawKey(id), fixture.rawBytes(id));
        }

        cache = MongoCache.builder()
                .redis(redis.uri())
                .maxLocalBytes(0)
                .defaultTtl(Duration.ofMinutes(30))
                .build();
        users = cache.wrap(fixture.users());
        warm();
        for (int i = 0, n = JitWarmup.ops(); i < n; i++) {
            ObjectId id = ids[i % ids.length];
            users.find(eq("_id", id)).first();
            BsonBytes.decode(commands.get(rawKey(id)), decoder);
        }
        loadsAfterWarming = cache.stats().namespace(MongoFixture.NAMESPACE).loads();
    }

    /** Reads every user until all reads are L2 hits (installs into Redis are asynchronous). */
    private void warm() throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            NamespaceStats before = cache.stats().namespace(MongoFixture.NAMESPACE);
            for (ObjectId id : ids) {
                Document ours = users.find(eq("_id", id)).first();
                if (attempt > 0) {
                    Document base = BsonBytes.decode(commands.get(rawKey(id)), decoder);
                    if (ours == null || !ours.equals(base)) {
                        throw new IllegalStateException("cache and Redis baseline disagree on " + id);
                    }
                }
            }
            NamespaceStats after = cache.stats().namespace(MongoFixture.NAMESPACE);
            if (after.l2Hits() - before.l2Hits() == ids.length) {
                loadsAfterWarming = after.loads();
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("reads do not become L2 hits: " + cache.stats().toJson());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (cache != null) {
                NamespaceStats stats = cache.stats().namespace(MongoFixture.NAMESPACE);
                if (impl == Impl.MONGOCACHE && (stats.loads() != loadsAfterWarming || stats.l2Errors() != 0)) {
                    throw new IllegalStateException("reads during the benchmark were not all L2 hits: " + stats);
                }
                cache.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    private static byte[] rawKey(ObjectId id) {
        return (RAW_KEY_PREFIX + id.toHexString()).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public Document read(KeyCursor cursor) {
        ObjectId id = ids[cursor.next(ids.length)];
        if (impl == Impl.MONGOCACHE) {
            return users.find(eq("_id", id)).first();
        }
        byte[] bytes = commands.get(rawKey(id));
        if (bytes == null) {
            throw new IllegalStateException("Redis lost " + id);
        }
        return BsonBytes.decode(bytes, decoder);
    }
}

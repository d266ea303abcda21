package io.mongocache.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
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
 * An L1 hit: {@code users.find(eq("_id", id)).first()} on a warmed cache, against the peer a team would write
 * instead — a Redisson {@code RLocalCachedMap} near cache read look-aside by the {@code _id}'s hex string, its
 * BSON bytes decoded on every hit — and against the floor: one Caffeine {@code getIfPresent} keyed by the
 * {@code _id} and decoding the very same bytes into a {@code Document} with the collection's codec. A fourth
 * variant reads {@code RawBsonDocument}s, which share the cached bytes and need no decoding at all.
 *
 * <p>The floor's bytes are the ones MongoDB returns ({@code find(..., RawBsonDocument.class).first()}), which is
 * also what the cache stores, so both sides decode identical input; setup checks that both return equal
 * documents and that every read of ours is an L1 hit. The floor's Caffeine is configured like a realistic
 * cache of BSON (bounded by bytes, with a TTL). The difference is the price of transparency: building the
 * canonical key from the filter, read preference and read concern, the generation check and the statistics.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class L1HitBenchmark {

    public enum Impl {
        /** Caffeine getIfPresent(_id) + decode of the same bytes. */
        CAFFEINE_FLOOR,
        /** Redisson RLocalCachedMap.get(hex id) + decode of the same bytes: the peer. */
        REDISSON_PEER,
        /** mongocache with Redis, every read an L1 hit. */
        MONGOCACHE,
        /** mongocache, RawBsonDocument results: the hit returns the cached bytes undecoded. */
        MONGOCACHE_RAW
    }

    @Param({"CAFFEINE_FLOOR", "REDISSON_PEER", "MONGOCACHE", "MONGOCACHE_RAW"})
    public Impl impl;

    /** Number of distinct users read round-robin (all of them fit in both caches). */
    @Param("1000")
    public int docs;

    private MongoFixture fixture;
    private io.mongocache.testing.RedisServer redis;
    private RedissonPeer peer;
    private String[] keys;
    private MongoCache cache;
    private CachedCollection<Document> users;
    private CachedCollection<org.bson.RawBsonDocument> rawUsers;
    private Cache<ObjectId, byte[]> floor;
    private Decoder<Document> decoder;
    private ObjectId[] ids;
    private long loadsAfterWarming;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = MongoFixture.start(docs);
        ids = fixture.shuffledIds(1);
        decoder = fixture.users().getCodecRegistry().get(Document.class);

        floor = Caffeine.newBuilder()
                .maximumWeight(256L * 1024 * 1024)
                .weigher((ObjectId id, byte[] bytes) -> bytes.length)
                .expireAfterWrite(Duration.ofMinutes(5))
                .build();
        for (ObjectId id : ids) {
            floor.put(id, fixture.rawBytes(id));
        }

        redis = io.mongocache.testing.RedisServer.start();
        peer = new RedissonPeer(redis.uri(), "peer-users");
        keys = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            keys[i] = ids[i].toHexString();
            peer.put(keys[i], floor.getIfPresent(ids[i]));
        }
        cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(256L * 1024 * 1024)
                .defaultTtl(Duration.ofMinutes(5)).build();
        try {
            cache.awaitInvalidations(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        users = cache.wrap(fixture.users());
        rawUsers = users.withDocumentClass(org.bson.RawBsonDocument.class);
        for (ObjectId id : ids) {
            users.find(eq("_id", id)).first();
            rawUsers.find(eq("_id", id)).first();
        }
        NamespaceStats before = cache.stats().namespace(MongoFixture.NAMESPACE);
        for (ObjectId id : ids) {
            Document ours = users.find(eq("_id", id)).first();
            Document base = BsonBytes.decode(floor.getIfPresent(id), decoder);
            Document fromPeer = BsonBytes.decode(peer.cached(id.toHexString()), decoder);
            Document raw = BsonBytes.decode(BsonBytes.copy(rawUsers.find(eq("_id", id)).first()), decoder);
            if (ours == null || !ours.equals(base) || !base.equals(fromPeer) || !base.equals(raw)) {
                throw new IllegalStateException("cache, peer and floor disagree on " + id + ": " + ours + " vs " + base);
            }
        }
        NamespaceStats after = cache.stats().namespace(MongoFixture.NAMESPACE);
        if (after.l1Hits() - before.l1Hits() != 2L * ids.length || after.loads() != before.loads()) {
            throw new IllegalStateException("warmed reads were not all L1 hits: before " + before + ", after " + after);
        }
        for (int i = 0, n = JitWarmup.ops() * 4; i < n; i++) {
            ObjectId id = ids[i % ids.length];
            users.find(eq("_id", id)).first();
            rawUsers.find(eq("_id", id)).first();
            BsonBytes.decode(floor.getIfPresent(id), decoder);
            BsonBytes.decode(peer.cached(keys[i % ids.length]), decoder);
        }
        loadsAfterWarming = cache.stats().namespace(MongoFixture.NAMESPACE).loads();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (cache != null) {
            NamespaceStats stats = cache.stats().namespace(MongoFixture.NAMESPACE);
            if (stats.loads() != loadsAfterWarming) {
                throw new IllegalStateException("reads during the benchmark went to MongoDB: " + stats);
            }
            cache.close();
        }
        if (peer != null) {
            if (peer.localSize() != ids.length) {
                throw new IllegalStateException("the peer's near cache lost entries: " + peer.localSize());
            }
            peer.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Benchmark
    public Object read(KeyCursor cursor) {
        int i = cursor.next(ids.length);
        ObjectId id = ids[i];
        switch (impl) {
            case MONGOCACHE:
                return users.find(eq("_id", id)).first();
            case MONGOCACHE_RAW:
                return rawUsers.find(eq("_id", id)).first();
            case REDISSON_PEER: {
                // What the peer's user writes: the id as the map key, then decode.
                byte[] bytes = peer.cached(id.toHexString());
                if (bytes == null) {
                    throw new IllegalStateException("the peer lost " + id);
                }
                return BsonBytes.decode(bytes, decoder);
            }
            default: {
                byte[] bytes = floor.getIfPresent(id);
                if (bytes == null) {
                    throw new IllegalStateException("floor lost " + id);
                }
                return BsonBytes.decode(bytes, decoder);
            }
        }
    }
}

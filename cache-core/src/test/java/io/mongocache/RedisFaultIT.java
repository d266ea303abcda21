package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Promise 7: Redis down, paused or restarted empty never fails a read or a write, never loses a write, and never
 * makes the writing node serve data from before its own write.
 */
class RedisFaultIT {
    private RedisServer redis;
    private MongoDatabase db;
    private MongoCollection<Document> raw;

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("faults"));
        raw = db.getCollection("c");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Document("_id", i).append("v", 0));
        }
        raw.insertMany(docs);
    }

    @AfterEach
    void tearDown() {
        redis.close();
        db.drop();
    }

    private MongoCache newCache(long localBytes) {
        return MongoCache.builder().redis(redis.uri()).maxLocalBytes(localBytes)
                .redisTimeout(Duration.ofMillis(200)).redisRetryInterval(Duration.ofMillis(100)).build();
    }

    private static void awaitRedis(MongoCache cache, boolean available) throws InterruptedException {
        Await.until(() -> cache.stats().redisAvailable() == available, Duration.ofSeconds(10),
                "Redis " + (available ? "available" : "unavailable") + " as seen by the cache");
    }

    @Test
    void shouldKeepReadsAndWritesWorkingWhileRedisIsKilledAndRestartedEmpty() throws Exception {
        for (long localBytes : new long[] {0, 1 << 20}) {
            try (MongoCache cache = newCache(localBytes)) {
                CachedCollection<Document> c = cache.wrap(raw);
                assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
                redis.kill();
                for (int round = 1; round <= 5; round++) {
                    c.updateOne(eq("_id", 1), set("v", round));
                    assertEquals(round, c.find(eq("_id", 1)).first().getInteger("v"));
                    assertEquals(round, raw.find(eq("_id", 1)).first().getInteger("v"), "the write was not lost");
                    assertEquals(0, c.find(eq("_id", 2)).first().getInteger("v"));
                    assertEquals(10, c.countDocuments());
                }
                assertTrue(cache.stats().redisErrors() > 0);
                assertFalse(cache.stats().redisAvailable());
                redis.restart();
                awaitRedis(cache, true);
                assertEquals(5, c.find(eq("_id", 1)).first().getInteger("v"));
                c.updateOne(eq("_id", 1), set("v", 0));
                // Recovery retires the era once more just after Redis is back in use: a read made before that costs
                // a miss. So read until one is served from the cache, each read correct.
                String ns = raw.getNamespace().getFullName();
                Await.until(() -> {
                    assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
                    NamespaceStats stats = cache.stats().namespace(ns);
                    return stats.l1Hits() + stats.l2Hits() > 0;
                }, Duration.ofSeconds(10), "the cache to be used again after recovery");
            }
        }
    }

    @Test
    void shouldNotServeItsOwnPreWriteEntryAfterRedisComesBackFromAPause() throws Exception {
        // Redis paused (SIGSTOP) keeps its data: the entry written before the pause is still there afterwards.
        // The write made during the pause could not replace the namespace token, so this node must not use the
        // namespace's Redis entries until it has replaced it.
        try (MongoCache cache = newCache(0)) {
            CachedCollection<Document> c = cache.wrap(raw);
            assertEquals(0, c.find(eq("_id", 3)).first().getInteger("v"));
            assertEquals(0, c.find(eq("_id", 3)).first().getInteger("v"));
            assertEquals(1, cache.stats().namespace(raw.getNamespace().getFullName()).l2Hits());
            redis.pause();
            try {
                c.updateOne(eq("_id", 3), set("v", 42));
                assertEquals(42, c.find(eq("_id", 3)).first().getInteger("v"));
            } finally {
                redis.resume();
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(42, c.find(eq("_id", 3)).first().getInteger("v"), "read " + i + " after resume");
                Thread.sleep(10);
            }
            awaitRedis(cache, true);
            assertEquals(42, c.find(eq("_id", 3)).first().getInteger("v"));
        }
    }

    @Test
    void shouldBuildAndServeWhenRedisIsDownAtStartup() throws Exception {
        redis.kill();
        try (MongoCache cache = newCache(1 << 20)) {
            CachedCollection<Document> c = cache.wrap(raw);
            String ns = raw.getNamespace().getFullName();
            assertEquals(0, c.find(eq("_id", 4)).first().getInteger("v"));
            assertEquals(0, c.find(eq("_id", 4)).first().getInteger("v"));
            // Without Redis this node cannot hear other nodes' writes: the local tier does not serve.
            assertEquals(0, cache.stats().namespace(ns).l1Hits());
            assertEquals(2, cache.stats().namespace(ns).loads());
            redis.restart();
            awaitRedis(cache, true);
            c.updateOne(eq("_id", 4), set("v", 9));
            assertEquals(9, c.find(eq("_id", 4)).first().getInteger("v"));
            Await.until(() -> cache.stats().channel().localTierTrusted(), Duration.ofSeconds(10),
                    "the local tier to be trusted again");
            assertEquals(9, c.find(eq("_id", 4)).first().getInteger("v"));
            assertEquals(9, c.find(eq("_id", 4)).first().getInteger("v"));
            assertTrue(cache.stats().namespace(ns).l1Hits() >= 1, "the local tier serves again once current");
        }
    }

    @Test
    void shouldNotServeEntriesFromBeforeAnOutageOnTheFirstConnectAfterBuildingWithoutRedis() throws Exception {
        // Another node cached v=0 in Redis before the outage.
        try (MongoCache other = newCache(0)) {
            assertEquals(0, other.wrap(raw).find(eq("_id", 5)).first().getInteger("v"));
        }
        redis.pause();
        try (TcpProxy proxy = TcpProxy.redis(redis.port());
                MongoCache cache = MongoCache.builder().redis(proxy.redisUri()).maxLocalBytes(0)
                        .redisTimeout(Duration.ofSeconds(5)).redisRetryInterval(Duration.ofMillis(100)).build()) {
            assertFalse(cache.stats().redisAvailable(), "built while Redis does not answer");
            CachedCollection<Document> c = cache.wrap(raw);
            c.updateOne(eq("_id", 5), set("v", 7));
            // Every request now reaches Redis late, so the first connect's steps take long enough to be seen.
            proxy.delayRequests(Duration.ofMillis(300));
            redis.resume();
            awaitRedis(cache, true);
            // The moment the tier serves, the pre-outage entry must already be retired.
            assertEquals(7, c.find(eq("_id", 5)).first().getInteger("v"), "no entry from before the outage");
            proxy.delayRequests(Duration.ZERO);
            assertEquals(7, c.find(eq("_id", 5)).first().getInteger("v"));
        }
    }
}

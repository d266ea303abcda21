package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Updates.inc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link InvalidationMode#ASYNC}: the writer never reads its own pre-write data; other nodes catch up. */
class AsyncInvalidationIT {
    private RedisServer redis;
    private MongoDatabase db;
    private MongoCollection<Document> raw;

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("async"));
        raw = db.getCollection("c");
        for (int i = 0; i < 20; i++) {
            raw.insertOne(new Document("_id", i).append("v", 0));
        }
    }

    @AfterEach
    void tearDown() {
        redis.close();
        db.drop();
    }

    private MongoCache node(long localBytes) {
        return MongoCache.builder().redis(redis.uri()).invalidation(InvalidationMode.ASYNC).maxLocalBytes(localBytes)
                .maxStaleness(Duration.ofMillis(400)).build();
    }

    /** How many times Redis ran {@code command} so far. */
    private long calls(String command) {
        return redis.commandCalls(command);
    }

    @org.junit.jupiter.api.Test
    void shouldBundleABurstOfWritesAndDeliverEveryInvalidationInOrder() throws Exception {
        // A reaches Redis through a link with 20 ms each way, so while one batch is on its way the next writes queue
        // up behind it: the sender's batches hold many messages, each batch publishes them as one bundle.
        try (TcpProxy slowLink = TcpProxy.raw(redis.port()).latency(Duration.ofMillis(20));
                MongoCache a = MongoCache.builder().redis("redis://127.0.0.1:" + slowLink.port())
                        .invalidation(InvalidationMode.ASYNC).maxLocalBytes(1 << 20).maxStaleness(Duration.ofSeconds(2))
                        .build();
                MongoCache b = MongoCache.builder().redis(redis.uri()).invalidation(InvalidationMode.ASYNC)
                        .maxLocalBytes(1 << 20).maxStaleness(Duration.ofSeconds(2)).build()) {
            assertTrue(a.awaitInvalidations(Duration.ofSeconds(5)));
            assertTrue(b.awaitInvalidations(Duration.ofSeconds(5)));
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            // First contact with an asynchronous peer flushes B once: get it over with before counting.
            onA.updateOne(eq("_id", 0), inc("v", 1));
            Await.until(() -> b.stats().channel().invalidations() >= 1, Duration.ofSeconds(5), "B heard from A");
            for (int id = 0; id < 20; id++) {
                onB.find(eq("_id", id)).first();
            }
            long invalidationsBefore = b.stats().channel().invalidations();
            long flushesBefore = b.stats().channel().flushes();
            long publishesBefore = calls("publish");
            int threads = 8;
            int writesEach = 50;
            java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    done.add(writers.submit(() -> {
                        for (int i = 0; i < writesEach; i++) {
                            onA.updateOne(eq("_id", (first * 7 + i) % 20), inc("v", 1));
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }
            assertTrue(a.awaitInvalidations(Duration.ofSeconds(10)));
            int writes = threads * writesEach;
            Await.until(() -> b.stats().channel().invalidations() - invalidationsBefore >= writes,
                    Duration.ofSeconds(10), "B applied every invalidation of the burst");
            assertEquals(writes, b.stats().channel().invalidations() - invalidationsBefore);
            assertEquals(0, b.stats().channel().gaps(), "every message arrived, in order");
            assertEquals(flushesBefore, b.stats().channel().flushes(), "no message was lost or unreadable");
            for (int id = 0; id < 20; id++) {
                assertEquals(raw.find(eq("_id", id)).first().getInteger("v"),
                        onB.find(eq("_id", id)).first().getInteger("v"), "document " + id + " on B");
            }
            long publishes = calls("publish") - publishesBefore;
            assertTrue(publishes < writes / 2, publishes + " PUBLISH for " + writes + " writes (and the heartbeats):"
                    + " the sender did not bundle");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1 << 20})
    void shouldReadItsOwnWritesAtOnce(long localBytes) throws Exception {
        try (MongoCache cache = node(localBytes)) {
            assertTrue(cache.awaitInvalidations(Duration.ofSeconds(5)));
            CachedCollection<Document> c = cache.wrap(raw);
            for (int round = 1; round <= 300; round++) {
                int id = round % 20;
                int before = c.find(eq("_id", id)).first().getInteger("v");
                c.find(eq("_id", id)).first(); // cached (L1, or Redis)
                assertEquals(raw.countDocuments(gt("v", round)), c.countDocuments(gt("v", round)));
                c.countDocuments(gt("v", round)); // cached
                c.updateOne(eq("_id", id), inc("v", round));
                assertEquals(before + round, c.find(eq("_id", id)).first().getInteger("v"), "round " + round);
                assertEquals(raw.countDocuments(gt("v", round)), c.countDocuments(gt("v", round)), "round " + round);
            }
            NamespaceStats stats = cache.stats().namespace(raw.getNamespace().getFullName());
            assertTrue(stats.l1Hits() + stats.l2Hits() >= 300, "the cache served the repeated reads: " + stats);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1 << 20})
    void shouldReachTheOtherNodes(long localBytes) throws Exception {
        try (MongoCache a = node(localBytes); MongoCache b = node(localBytes)) {
            assertTrue(a.awaitInvalidations(Duration.ofSeconds(5)));
            assertTrue(b.awaitInvalidations(Duration.ofSeconds(5)));
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            for (int round = 1; round <= 50; round++) {
                assertEquals(round - 1, onB.find(eq("_id", 7)).first().getInteger("v"));
                onB.find(eq("_id", 7)).first();
                onA.updateOne(eq("_id", 7), inc("v", 1));
                int expected = round;
                Await.until(() -> onB.find(eq("_id", 7)).first().getInteger("v") == expected, Duration.ofSeconds(5),
                        "node B sees round " + round);
            }
        }
    }
}

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
import io.mongocache.testing.TestMongo;
import java.time.Duration;
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

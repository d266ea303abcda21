package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads that may be answered from older data — a secondary read preference, a majority or snapshot read concern —
 * can start after a write's invalidation and still return the document from before it. Such a result must not be
 * served longer than {@code maxStaleness} after it was loaded, while primary reads of current data keep their TTL.
 * The write here is made past the cache (what a lagging member's answer amounts to: a result the invalidation
 * could not kill).
 */
class SecondaryReadIT {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(2);

    private static void shouldExpireWithinTheBound(boolean redis, UnaryOperator<MongoCollection<Document>> older)
            throws InterruptedException {
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("older"));
        MongoCacheBuilder builder = MongoCache.builder().maxStaleness(MAX_STALENESS).defaultTtl(Duration.ofMinutes(5))
                .keyPrefix("older" + System.nanoTime());
        if (redis) {
            builder.redis(TestRedis.uri());
        }
        try (MongoCache cache = builder.build()) {
            MongoCollection<Document> raw = db.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", 0));
            CachedCollection<Document> olderData = cache.wrap(older.apply(raw));
            CachedCollection<Document> primary = cache.wrap(raw);
            assertEquals(0, olderData.find(eq("_id", 1)).first().getInteger("v"));
            assertEquals(0, olderData.find(eq("_id", 1)).cacheTTL(Duration.ofMinutes(10)).first().getInteger("v"));
            assertEquals(0, primary.find(eq("_id", 1)).first().getInteger("v"));
            NamespaceStats before = cache.stats().namespace(raw.getNamespace().getFullName());
            assertEquals(0, olderData.find(eq("_id", 1)).first().getInteger("v"));
            NamespaceStats after = cache.stats().namespace(raw.getNamespace().getFullName());
            assertTrue(after.l1Hits() + after.l2Hits() > before.l1Hits() + before.l2Hits(),
                    "such reads are still cached");

            raw.updateOne(eq("_id", 1), set("v", 1)); // past the cache
            Await.until(() -> olderData.find(eq("_id", 1)).first().getInteger("v") == 1, Duration.ofSeconds(10),
                    "the possibly older result to expire within maxStaleness");
            Await.until(() -> olderData.find(eq("_id", 1)).cacheTTL(Duration.ofMinutes(10)).first()
                    .getInteger("v") == 1, Duration.ofSeconds(10), "a longer cacheTTL capped as well");
            assertEquals(0, primary.find(eq("_id", 1)).first().getInteger("v"),
                    "a primary read of current data keeps its TTL (only writes through the cache invalidate it)");
        } finally {
            db.drop();
        }
    }

    @ParameterizedTest(name = "redis={0}")
    @ValueSource(booleans = {false, true})
    void shouldNotServeASecondaryReadLongerThanTheBoundAfterAWriteItMissed(boolean redis) throws Exception {
        shouldExpireWithinTheBound(redis, c -> c.withReadPreference(ReadPreference.secondaryPreferred()));
    }

    @ParameterizedTest(name = "redis={0}")
    @ValueSource(booleans = {false, true})
    void shouldNotServeAMajorityReadLongerThanTheBoundAfterAWriteItMissed(boolean redis) throws Exception {
        shouldExpireWithinTheBound(redis, c -> c.withReadConcern(ReadConcern.MAJORITY));
    }
}

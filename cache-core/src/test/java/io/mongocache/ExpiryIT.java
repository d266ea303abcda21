package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** {@code cacheTTL} and the default TTL, in both tiers. */
class ExpiryIT {

    @Test
    void shouldExpireLocalEntriesAfterTheirOwnTtl() {
        AtomicLong nanos = new AtomicLong();
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("ttl"));
        try (MongoCache cache = MongoCache.builder().nanoClock(nanos::get).defaultTtl(Duration.ofMinutes(5)).build()) {
            MongoCollection<Document> raw = db.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", "a"));
            CachedCollection<Document> cached = cache.wrap(raw);
            String ns = raw.getNamespace().getFullName();

            cached.find(eq("_id", 1)).cacheTTL(Duration.ofSeconds(30)).first();
            cached.find(eq("_id", 1)).first(); // a hit: the TTL is not part of the key
            assertEquals(1, cache.stats().namespace(ns).loads());
            nanos.addAndGet(Duration.ofSeconds(31).toNanos());
            cached.find(eq("_id", 1)).first();
            assertEquals(2, cache.stats().namespace(ns).loads(), "the 30 s entry expired");
            nanos.addAndGet(Duration.ofMinutes(4).toNanos());
            cached.find(eq("_id", 1)).first();
            assertEquals(2, cache.stats().namespace(ns).loads(), "the reloaded entry has the default 5 min TTL");
            nanos.addAndGet(Duration.ofMinutes(2).toNanos());
            cached.find(eq("_id", 1)).first();
            assertEquals(3, cache.stats().namespace(ns).loads());

            CachedCollection<Document> shortLived = cached.cacheTTL(Duration.ofSeconds(1));
            shortLived.countDocuments();
            nanos.addAndGet(Duration.ofSeconds(2).toNanos());
            shortLived.countDocuments();
            assertEquals(5, cache.stats().namespace(ns).loads(), "a collection view's TTL applies to its reads");
        } finally {
            db.drop();
        }
    }

    @Test
    void shouldExpireRedisEntriesAfterTheirTtl() throws InterruptedException {
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("ttl2"));
        String prefix = "ttl" + System.nanoTime();
        RedisClient admin = RedisClient.create(TestRedis.uri());
        try (MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).maxLocalBytes(0)
                .build(); StatefulRedisConnection<String, String> redis = admin.connect()) {
            MongoCollection<Document> raw = db.getCollection("c");
            raw.insertOne(new Document("_id", 1));
            CachedCollection<Document> cached = cache.wrap(raw);
            String ns = raw.getNamespace().getFullName();
            cached.find(eq("_id", 1)).cacheTTL(Duration.ofMillis(300)).first();
            cached.find(eq("_id", 1)).first();
            assertEquals(1, cache.stats().namespace(ns).l2Hits());
            // Redis expires on its own clock: wait until it has, then the entry is gone for the cache too.
            Await.until(() -> redis.sync().keys(prefix + ":{" + ns + "}:e:*").isEmpty(), Duration.ofSeconds(10),
                    "Redis to expire the entry");
            cached.find(eq("_id", 1)).first();
            assertEquals(2, cache.stats().namespace(ns).loads());
        } finally {
            admin.shutdown();
            db.drop();
        }
    }
}

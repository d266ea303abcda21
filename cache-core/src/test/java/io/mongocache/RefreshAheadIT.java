package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Refresh-ahead on a real server: a hit in the last part of an entry's life reloads it in the background — finds,
 * aggregations and distinct values alike — while the old entry keeps serving. The clock is the test's.
 */
class RefreshAheadIT {
    private final AtomicLong now = new AtomicLong(1);
    private MongoDatabase db;
    private MongoCollection<Document> raw;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("refresh"));
        raw = db.getCollection("c");
        raw.insertOne(new Document("_id", 1).append("v", 1).append("g", "a"));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }

    @Test
    void shouldReloadHotEntriesOfEveryReadKindInTheBackground() throws Exception {
        try (MongoCache cache = MongoCache.builder().nanoClock(now::get).defaultTtl(Duration.ofSeconds(10)).ttlJitter(0)
                .refreshAhead(0.5).build()) {
            CachedCollection<Document> c = cache.wrap(raw);
            List<Document> pipeline = new ArrayList<>(List.of(new Document("$match", new Document("v", new Document(
                    "$gte", 0)))));
            assertEquals(1, c.find(eq("_id", 1)).first().getInteger("v"));
            assertEquals(1, c.aggregate(pipeline).first().getInteger("v"));
            assertEquals(List.of("a"), c.distinct("g", gte("v", 0), String.class).into(new ArrayList<>()));
            // Written behind the cache's back: only a reload can see it before the TTL ends.
            raw.updateOne(eq("_id", 1), com.mongodb.client.model.Updates.combine(set("v", 2), set("g", "b")));
            now.addAndGet(Duration.ofSeconds(6).toNanos());
            assertEquals(1, c.find(eq("_id", 1)).first().getInteger("v"), "the old entry serves meanwhile");
            assertEquals(1, c.aggregate(pipeline).first().getInteger("v"));
            assertEquals(List.of("a"), c.distinct("g", gte("v", 0), String.class).into(new ArrayList<>()));
            pipeline.clear(); // the caller's list changes after the read: the reload must not see it
            String ns = raw.getNamespace().getFullName();
            Await.until(() -> cache.stats().namespace(ns).reloads() == 3, Duration.ofSeconds(10), "three reloads");
            pipeline.add(new Document("$match", new Document("v", new Document("$gte", 0))));
            long loads = cache.stats().namespace(ns).loads();
            assertEquals(2, c.find(eq("_id", 1)).first().getInteger("v"));
            assertEquals(2, c.aggregate(pipeline).first().getInteger("v"));
            assertEquals(List.of("b"), c.distinct("g", gte("v", 0), String.class).into(new ArrayList<>()));
            assertEquals(loads, cache.stats().namespace(ns).loads(), "served by the reloaded entries");
        }
    }
}

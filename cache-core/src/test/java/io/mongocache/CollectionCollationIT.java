package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CollationStrength;
import com.mongodb.client.model.CreateCollectionOptions;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10.3: in a collection whose default collation is case-insensitive, {@code find(eq("_id", "ABC"))} also
 * matches {@code "abc"}, so a write by {@code "abc"} must evict the cached read of {@code "ABC"}. The in-process
 * server lists default collations like MongoDB but still compares binary, so these tests watch what the cache
 * loads; on a real server they also check the values.
 */
class CollectionCollationIT {
    private static final Collation CASE_INSENSITIVE =
            Collation.builder().locale("en").collationStrength(CollationStrength.SECONDARY).build();

    private MongoDatabase db;
    private final List<MongoCache> caches = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("collation"));
    }

    @AfterEach
    void tearDown() {
        caches.forEach(MongoCache::close);
        db.drop();
    }

    private MongoCache cache(boolean redis) {
        var builder = MongoCache.builder();
        if (redis) {
            builder.redis(TestRedis.uri());
        }
        MongoCache cache = builder.build();
        caches.add(cache);
        return cache;
    }

    private MongoCollection<Document> create(String name, Collation collation) {
        db.createCollection(name, collation == null ? new CreateCollectionOptions()
                : new CreateCollectionOptions().collation(collation));
        MongoCollection<Document> raw = db.getCollection(name);
        raw.insertMany(List.of(new Document("_id", "ABC").append("v", 0), new Document("_id", "abd").append("v", 0),
                new Document("_id", 1).append("v", 0), new Document("_id", 2).append("v", 0)));
        return raw;
    }

    private static long loads(MongoCache cache, CachedCollection<Document> c) {
        return cache.stats().namespace(c.getNamespace().getFullName()).loads();
    }

    /** Whether the point read of {@code id} is served from the cache (reading it once more). */
    private static boolean cached(MongoCache cache, CachedCollection<Document> c, Object id) {
        long before = loads(cache, c);
        c.find(eq("_id", id)).first();
        return loads(cache, c) == before;
    }

    private static void read(CachedCollection<Document> c, Object... ids) {
        for (Object id : ids) {
            c.find(eq("_id", id)).first();
        }
    }

    @Test
    void shouldEvictTheCachedReadOfAStringIdWhenACaseInsensitiveDefaultCollationMakesTheWrittenIdEqual() {
        MongoCache cache = cache(false);
        CachedCollection<Document> c = cache.wrap(create("ci", CASE_INSENSITIVE));
        read(c, "ABC", 1);
        assertTrue(cached(cache, c, "ABC"));
        c.updateOne(eq("_id", "abc"), set("v", 1)); // on MongoDB this updates "ABC"
        assertTrue(!cached(cache, c, "ABC"), "a write by 'abc' must evict the cached read of 'ABC'");
        if (TestMongo.realMongo()) {
            assertEquals(1, c.find(eq("_id", "ABC")).first().getInteger("v"));
        }
        read(c, 1, 2);
        c.updateOne(eq("_id", 2), set("v", 1));
        assertTrue(cached(cache, c, 1), "numeric ids stay precise under a collation");
    }

    @Test
    void shouldKeepStringIdReadsPreciseInACollectionWithoutADefaultCollation() {
        MongoCache cache = cache(false);
        CachedCollection<Document> c = cache.wrap(create("plain", null));
        read(c, "ABC");
        c.updateOne(eq("_id", "abd"), set("v", 1));
        c.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(cached(cache, c, "ABC"), "binary comparison: 'abc' and 'abd' are other documents");
    }

    @Test
    void shouldRelearnTheDefaultCollationWhenTheCollectionIsDroppedAndRecreated() {
        MongoCache cache = cache(false);
        CachedCollection<Document> c = cache.wrap(create("c", null));
        read(c, "ABC");
        c.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(cached(cache, c, "ABC"), "learned: no default collation");

        c.drop();
        c = cache.wrap(create("c", CASE_INSENSITIVE));
        read(c, "ABC");
        assertTrue(cached(cache, c, "ABC"));
        c.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(!cached(cache, c, "ABC"), "relearned after the drop: case-insensitive");

        c.drop();
        c = cache.wrap(create("c", null));
        read(c, "ABC");
        c.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(cached(cache, c, "ABC"), "relearned after the drop: no default collation again");
    }

    @Test
    void shouldRelearnTheDefaultCollationWhenAnotherNodeDropsAndRecreatesTheCollection() throws InterruptedException {
        MongoCache nodeA = cache(true);
        MongoCache nodeB = cache(true);
        CachedCollection<Document> a = nodeA.wrap(create("shared", null));
        nodeA.awaitInvalidations(Duration.ofSeconds(5));
        read(a, "ABC");
        a.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(cached(nodeA, a, "ABC"), "learned: no default collation");

        nodeB.wrap(db.getCollection("shared")).drop();
        assertTrue(nodeA.awaitInvalidations(Duration.ofSeconds(5)));
        a = nodeA.wrap(create("shared", CASE_INSENSITIVE));
        read(a, "ABC");
        assertTrue(cached(nodeA, a, "ABC"));
        a.updateOne(eq("_id", "abc"), set("v", 1));
        assertTrue(!cached(nodeA, a, "ABC"), "node A relearned after node B's drop");
    }
}

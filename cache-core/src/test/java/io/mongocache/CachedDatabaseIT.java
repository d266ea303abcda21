package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MongoCache#wrap(MongoDatabase)} and {@link CacheHints} against a real MongoDB: collections taken from a
 * cached database are cached, its own data-changing methods invalidate, and the scopes steer the reads inside them.
 */
class CachedDatabaseIT {
    private final AtomicLong nanos = new AtomicLong();
    private MongoCache cache;
    private MongoDatabase raw;
    private CachedDatabase db;

    @BeforeEach
    void setUp() {
        cache = MongoCache.builder().nanoClock(nanos::get).defaultTtl(Duration.ofMinutes(5)).ttlJitter(0).build();
        raw = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("cdb"));
        raw.getCollection("users").insertOne(new Document("_id", 1).append("name", "ann"));
        db = cache.wrap(raw);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        raw.drop();
    }

    private NamespaceStats stats() {
        return cache.stats().namespace(raw.getName() + ".users");
    }

    private String name() {
        return db.getCollection("users").find(eq("_id", 1)).first().getString("name");
    }

    @Test
    void shouldCacheCollectionsTakenFromTheDatabaseAndItsDerivedViews() {
        assertEquals("ann", name());
        assertEquals("ann", name());
        assertEquals(1, stats().loads());
        CachedDatabase derived = db.withReadPreference(ReadPreference.primary()).withWriteConcern(WriteConcern.MAJORITY);
        assertInstanceOf(CachedDatabase.class, derived);
        assertEquals("ann", derived.getCollection("users", Document.class).find(eq("_id", 1)).first()
                .getString("name"));
        assertEquals(1, stats().loads(), "a derived database shares the cache");
        assertSame(db, cache.wrap(db), "wrapping twice returns the same database");
        assertSame(raw, db.unwrap());
    }

    @Test
    void shouldInvalidateWritesThroughCollectionsOfTheDatabase() {
        assertEquals("ann", name());
        db.getCollection("users").updateOne(eq("_id", 1), new Document("$set", new Document("name", "bob")));
        assertEquals("bob", name());
    }

    @Test
    void shouldInvalidateWhatAWritingCommandChangedAndNothingForAReadOnlyOne() {
        assertEquals("ann", name());
        long before = stats().invalidations();
        db.runCommand(new Document("ping", 1));
        db.runCommand(new Document("count", "users"));
        assertEquals(before, stats().invalidations(), "read-only commands invalidate nothing");
        db.runCommand(new Document("update", "users").append("updates", List.of(new Document("q",
                new Document("_id", 1)).append("u", new Document("$set", new Document("name", "cid"))))));
        assertEquals("cid", name(), "an update run as a command invalidated the collection");
    }

    @Test
    void shouldInvalidateEverythingWhenTheDatabaseIsDropped() {
        assertEquals("ann", name());
        db.drop();
        raw.getCollection("users").insertOne(new Document("_id", 1).append("name", "eve"));
        assertEquals("eve", name());
    }

    @Test
    void shouldInvalidateACollectionThatIsCreated() {
        MongoCollection<Document> later = db.getCollection("later");
        assertEquals(0, later.countDocuments());
        raw.getCollection("later").drop();
        db.createCollection("later");
        assertTrue(cache.stats().namespace(raw.getName() + ".later").invalidations() > 0);
    }

    @Test
    void shouldBypassTheCacheInsideANoCacheScope() {
        assertEquals("ann", name());
        raw.getCollection("users").updateOne(eq("_id", 1), new Document("$set", new Document("name", "fay")));
        try (CacheHints.Scope s = CacheHints.noCache()) {
            assertEquals("fay", name(), "inside the scope the read went to MongoDB");
            assertEquals(1, db.getCollection("users").countDocuments());
        }
        assertEquals("ann", name(), "outside it the cached result is served again");
        assertTrue(stats().bypasses() >= 2, "the scope's reads counted as bypasses: " + stats());
    }

    @Test
    void shouldCacheResultsLoadedInATtlScopeForTheScopesTtl() {
        CachedCollection<Document> users = db.getCollection("users");
        CacheHints.withTtl(Duration.ofSeconds(30), () -> users.find(eq("_id", 1)).first());
        raw.getCollection("users").updateOne(eq("_id", 1), new Document("$set", new Document("name", "gus")));
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertEquals("ann", users.find(eq("_id", 1)).first().getString("name"), "still within the scope's 30 s");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals("gus", users.find(eq("_id", 1)).first().getString("name"), "expired after 30 s, not 5 min");
        // The query's own cacheTTL wins over the scope's.
        CacheHints.withTtl(Duration.ofSeconds(1), () -> users.find(eq("name", "gus")).cacheTTL(Duration.ofMinutes(1))
                .first());
        raw.getCollection("users").updateOne(eq("_id", 1), new Document("$set", new Document("age", 3)));
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(null, users.find(eq("name", "gus")).first().get("age"), "the query's 1 min applied");
    }

    @Test
    void shouldRefuseADatabaseOfAnotherCacheAndAClosedCache() {
        try (MongoCache other = MongoCache.builder().build()) {
            assertThrows(IllegalArgumentException.class, () -> other.wrap(db));
        }
        cache.close();
        assertThrows(MongoCacheClosedException.class, () -> cache.wrap(raw));
        assertThrows(MongoCacheClosedException.class, () -> db.getCollection("users"));
    }
}

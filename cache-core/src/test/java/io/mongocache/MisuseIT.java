package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ReadPreference;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertOneModel;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse that would go stale is refused loudly: a closed cache's collections, a second cache layer. */
class MisuseIT {
    private MongoDatabase db;
    private MongoCollection<Document> raw;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("misuse"));
        raw = db.getCollection("c");
        raw.insertOne(new Document("_id", 1).append("v", 0));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }

    @Test
    void shouldRefuseEveryCallOnACollectionOfAClosedCache() {
        MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).build();
        CachedCollection<Document> users = cache.wrap(raw);
        CachedFindIterable<Document> pending = users.find(eq("_id", 1));
        var secondary = users.withReadPreference(ReadPreference.secondaryPreferred());
        assertEquals(0, users.find(eq("_id", 1)).first().getInteger("v"));
        cache.close();

        List<Executable> calls = List.of(
                () -> users.updateOne(eq("_id", 1), set("v", 1)),
                () -> users.insertOne(new Document("_id", 2)),
                () -> users.bulkWrite(List.of(new InsertOneModel<>(new Document("_id", 3)))),
                () -> users.deleteMany(new Document()),
                () -> users.findOneAndUpdate(eq("_id", 1), set("v", 2)),
                () -> users.drop(),
                () -> users.find(eq("_id", 1)),
                () -> pending.first(),
                () -> pending.into(new ArrayList<>()),
                () -> pending.limit(1),
                () -> users.countDocuments(),
                () -> users.estimatedDocumentCount(),
                () -> users.aggregate(List.of()),
                () -> users.distinct("v", Integer.class),
                () -> users.withReadPreference(ReadPreference.primary()),
                () -> secondary.find().first(),
                () -> users.noCache(),
                () -> users.getNamespace());
        for (Executable call : calls) {
            MongoCacheClosedException e = assertThrows(MongoCacheClosedException.class, call);
            assertTrue(e.getMessage().contains(raw.getNamespace().getFullName()), e.getMessage());
        }
        assertEquals(1, raw.countDocuments(), "no write reached MongoDB");
        assertEquals(0, raw.find(eq("_id", 1)).first().getInteger("v"));
        assertTrue(users.toString() != null, "toString still answers (logs, debuggers)");
        assertSame(raw, users.unwrap(), "the driver's own collection can still be taken, knowingly");
    }

    @Test
    void shouldRefuseToWrapAnotherCachesCollection() {
        try (MongoCache a = MongoCache.builder().build(); MongoCache b = MongoCache.builder().build()) {
            CachedCollection<Document> onA = a.wrap(raw);
            assertSame(onA, a.wrap(onA), "wrapping its own collection again changes nothing");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.wrap(onA));
            assertTrue(e.getMessage().contains("collection") && e.getMessage().contains("another MongoCache"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> b.wrap(onA.noCache()));
        }
    }

    @Test
    void shouldRejectANullFilterLikeTheDriver() {
        try (MongoCache cache = MongoCache.builder().build()) {
            CachedCollection<Document> cached = cache.wrap(raw);
            IllegalArgumentException driver = assertThrows(IllegalArgumentException.class,
                    () -> raw.find((org.bson.conversions.Bson) null));
            IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
                    () -> cached.find((org.bson.conversions.Bson) null));
            assertEquals(driver.getMessage(), ours.getMessage());
        }
    }

    @Test
    void shouldNameABadDatabaseNameBeforeAMissingRouter() {
        try (MongoCache cache = MongoCache.builder().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.wrap(raw).db("bad/name"));
            assertEquals("databaseName must be a database name without any of / \\ . space \" $ or NUL, but was "
                    + "'bad/name'", e.getMessage());
            // The driver's own check let '$' and 64-byte names through; the one rule of every module does not.
            assertThrows(IllegalArgumentException.class, () -> cache.wrap(raw).db("a$b"));
            assertThrows(IllegalArgumentException.class, () -> cache.wrap(raw).db("d".repeat(64)));
            MongoCacheConfigurationException router = assertThrows(MongoCacheConfigurationException.class,
                    () -> cache.wrap(raw).db("fine"));
            assertTrue(router.getMessage().contains("router"), router.getMessage());
        }
    }
}

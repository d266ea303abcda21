package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node's read right after its own write by {@code _id} skips the Redis lookup (nothing there can be current) yet
 * still fills Redis for the other nodes, with the tokens its write set — and never installs anything stale when
 * another node's write replaced them meanwhile.
 */
class OwnWriteReadIT {
    private RedisServer redis;
    private MongoDatabase db;
    private MongoCollection<Document> raw;

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("ownwrite"));
        raw = db.getCollection("c");
        for (int i = 0; i < 5; i++) {
            raw.insertOne(new Document("_id", i).append("v", 0));
        }
    }

    @AfterEach
    void tearDown() {
        redis.close();
        db.drop();
    }

    private MongoCache node(InvalidationMode mode, long localBytes) throws InterruptedException {
        MongoCache cache = MongoCache.builder().redis(redis.uri()).invalidation(mode).maxLocalBytes(localBytes)
                .maxStaleness(Duration.ofMillis(400)).build();
        assertTrue(cache.awaitInvalidations(Duration.ofSeconds(5)));
        return cache;
    }

    /** How many times Redis ran {@code command} so far. */
    private long calls(String command) {
        return redis.commandCalls(command);
    }

    /**
     * Reads document {@code id} on the node that just wrote it: the value it wrote, then an install in Redis with no
     * lookup before it (a lookup reads the entry, one GET; an install stores it and extends its tokens, PEXPIRE).
     */
    private void assertReadsItsOwnWriteWithoutALookup(CachedCollection<Document> writer, int id, int expected)
            throws InterruptedException {
        long lookups = calls("get");
        long installs = calls("pexpire");
        assertEquals(expected, writer.find(eq("_id", id)).first().getInteger("v"), "the writer reads its own write");
        Await.until(() -> calls("pexpire") > installs, Duration.ofSeconds(5), "the install ran");
        assertEquals(lookups, calls("get"), "an install without a lookup before it, document " + id);
    }

    private NamespaceStats stats(MongoCache cache) {
        return cache.stats().namespace(raw.getNamespace().getFullName());
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void shouldFillRedisForOthersAfterReadingItsOwnWrite(InvalidationMode mode) throws Exception {
        try (MongoCache a = node(mode, 1 << 20); MongoCache b = node(mode, 0)) {
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            for (int round = 1; round <= 20; round++) {
                assertEquals(round - 1, onA.find(eq("_id", 1)).first().getInteger("v"));
                onA.updateOne(eq("_id", 1), set("v", round));
                a.awaitInvalidations(Duration.ofSeconds(5));
                assertReadsItsOwnWriteWithoutALookup(onA, 1, round);
                long loadsOnB = stats(b).loads();
                int expected = round;
                Await.until(() -> onB.find(eq("_id", 1)).first().getInteger("v") == expected, Duration.ofSeconds(5),
                        "B sees round " + round);
                assertTrue(stats(b).loads() - loadsOnB <= 1, "B is served by what A installed, mostly");
            }
            assertTrue(stats(b).l2Hits() >= 10, "A's reads after its writes filled Redis: " + stats(b));
        }
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void shouldSkipTheLookupAfterItsOwnWriteOfADocumentItHadNotRead(InvalidationMode mode) throws Exception {
        try (MongoCache a = node(mode, 1 << 20); MongoCache b = node(mode, 0)) {
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            onA.find(eq("_id", 0)).first(); // A learns the era's and the namespace's tokens from this lookup
            for (int id = 1; id <= 4; id++) {
                onA.updateOne(eq("_id", id), set("v", 10 + id));
                a.awaitInvalidations(Duration.ofSeconds(5));
                System.gc(); // nothing cached depends on the document: only the written cell remembers its token
                assertReadsItsOwnWriteWithoutALookup(onA, id, 10 + id);
                assertEquals(10 + id, onB.find(eq("_id", id)).first().getInteger("v"));
            }
            assertEquals(4, stats(b).l2Hits(), "B was served what A installed after each write: " + stats(b));
        }
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void shouldNotInstallWithTokensAnotherWriteReplaced(InvalidationMode mode) throws Exception {
        try (MongoCache a = node(mode, 1 << 20); MongoCache b = node(InvalidationMode.SYNC, 0);
                MongoCache c = node(InvalidationMode.SYNC, 0)) {
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            CachedCollection<Document> onC = c.wrap(raw);
            for (int round = 1; round <= 20; round++) {
                onA.find(eq("_id", 2)).first();
                onA.updateOne(eq("_id", 2), set("v", 10 * round));
                a.awaitInvalidations(Duration.ofSeconds(5));
                // B writes after A's write: the tokens A remembers are stale now.
                onB.updateOne(eq("_id", 2), set("v", 10 * round + 1));
                a.awaitInvalidations(Duration.ofSeconds(5));
                assertEquals(10 * round + 1, onA.find(eq("_id", 2)).first().getInteger("v"));
                assertEquals(10 * round + 1, onC.find(eq("_id", 2)).first().getInteger("v"), "round " + round);
            }
        }
    }
}

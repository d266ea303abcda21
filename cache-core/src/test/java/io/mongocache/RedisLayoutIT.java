package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the cache leaves in Redis: per-document tokens, everything per namespace with an expiry. */
class RedisLayoutIT {
    private RedisServer redis;
    private RedisClient admin;
    private RedisCommands<String, String> commands;
    private MongoDatabase db;

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        admin = RedisClient.create(redis.uri());
        commands = admin.connect().sync();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("layout"));
    }

    @AfterEach
    void tearDown() {
        admin.shutdown();
        redis.close();
        db.drop();
    }

    private List<String> keys() {
        List<String> all = new ArrayList<>();
        var cursor = commands.scan(ScanArgs.Builder.limit(1000));
        all.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = commands.scan(cursor, ScanArgs.Builder.limit(1000));
            all.addAll(cursor.getKeys());
        }
        return all;
    }

    @Test
    void shouldGiveEveryNamespaceKeyAnExpiryAndReplaceOnlyWrittenTokens() throws Exception {
        try (MongoCache cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(0).keyPrefix("lay")
                .defaultTtl(Duration.ofMinutes(3)).build()) {
            List<MongoCollection<Document>> collections = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                MongoCollection<Document> raw = db.getCollection("c" + c);
                raw.insertOne(new Document("_id", 1).append("v", 0));
                collections.add(cache.wrap(raw));
            }
            for (MongoCollection<Document> c : collections) {
                assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
                assertEquals(1, c.countDocuments(gt("v", -1)));
            }
            String ns = collections.get(0).getNamespace().getFullName();
            String idToken = keys().stream().filter(k -> k.startsWith("lay:{" + ns + "}:i:")).findFirst().orElseThrow();
            String idBefore = commands.get(idToken);
            String anyBefore = commands.get("lay:{" + ns + "}:a");
            String namespaceBefore = commands.get("lay:{" + ns + "}:t");
            collections.get(0).updateOne(eq("_id", 1), set("v", 1));
            assertTrue(!idBefore.equals(commands.get(idToken)), "the write replaces the document's token");
            assertTrue(!anyBefore.equals(commands.get("lay:{" + ns + "}:a")), "and the any-document token");
            assertEquals(namespaceBefore, commands.get("lay:{" + ns + "}:t"), "but not the namespace token");
            String otherNs = collections.get(1).getNamespace().getFullName();
            long otherIds = keys().stream().filter(k -> k.startsWith("lay:{" + otherNs + "}:i:")).count();
            assertEquals(1, otherIds, "one token per document read, nothing per document unread");
            assertEquals(1, collections.get(0).find(eq("_id", 1)).first().getInteger("v"));
            List<String> keys = keys();
            assertTrue(keys.size() > 20 * 3, "tokens and entries of every namespace: " + keys);
            for (String key : keys) {
                long ttl = commands.pttl(key);
                if (key.equals("lay:era")) {
                    assertEquals(-1, ttl, "the era is global and lives on");
                } else {
                    assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(3).toMillis(), key + " has PTTL " + ttl);
                }
            }
        }
    }

    @Test
    void shouldKeepServingFromRedisAfterItForgetsTheScripts() throws Exception {
        MongoCollection<Document> raw = db.getCollection("flush");
        raw.insertOne(new Document("_id", 1).append("v", 0));
        try (MongoCache cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(0).build()) {
            CachedCollection<Document> c = cache.wrap(raw);
            c.find(eq("_id", 1)).first();
            commands.scriptFlush();
            assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
            assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
            NamespaceStats stats = cache.stats().namespace(raw.getNamespace().getFullName());
            assertEquals(0, stats.l2Errors(), stats.toString());
            assertTrue(stats.l2Hits() >= 1, "the install script is sent again: " + stats);

            String ns = raw.getNamespace().getFullName();
            String idToken = keys().stream().filter(k -> k.startsWith("mc:{" + ns + "}:i:")).findFirst()
                    .orElseThrow();
            String before = commands.get(idToken);
            commands.scriptFlush();
            c.updateOne(eq("_id", 1), set("v", 1));
            assertTrue(!before.equals(commands.get(idToken)), "the write script is sent again and replaces the token");
            assertEquals(1, c.find(eq("_id", 1)).first().getInteger("v"));
            assertEquals(0, cache.stats().namespace(ns).l2Errors(), cache.stats().toString());
            assertTrue(cache.stats().redisAvailable(), "a forgotten script is not a Redis fault");
        }
    }

    @Test
    void shouldSkipRedisUpFrontForReadsOfMoreDocumentsThanAnEntryRecords() throws InterruptedException {
        try (MongoCache cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(1 << 20).build()) {
            // The local tier serves once the first heartbeat came back: the re-read below must be able to hit it.
            assertTrue(cache.awaitInvalidations(java.time.Duration.ofSeconds(10)), "the channel is current");
            MongoCollection<Document> raw = db.getCollection("wide");
            List<Document> docs = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                docs.add(new Document("_id", i).append("v", 0));
                ids.add(i);
            }
            raw.insertMany(docs);
            CachedCollection<Document> c = cache.wrap(raw);
            String ns = raw.getNamespace().getFullName();
            assertEquals(300, c.find(in("_id", ids)).into(new ArrayList<>()).size());
            assertEquals(253, c.find(in("_id", ids.subList(0, 253))).into(new ArrayList<>()).size());
            NamespaceStats stats = cache.stats().namespace(ns);
            assertEquals(1, stats.l2Skipped(), stats.toString());
            assertEquals(2, stats.loads(), stats.toString());
            long idTokens = keys().stream().filter(k -> k.startsWith("mc:{" + ns + "}:i:")).count();
            assertEquals(253, idTokens, "tokens only for the read Redis can hold");
            // Cached locally all the same, and a write to one of its documents still reaches it.
            assertEquals(300, c.find(in("_id", ids)).into(new ArrayList<>()).size());
            assertEquals(2, cache.stats().namespace(ns).loads());
            c.updateOne(eq("_id", 299), set("v", 1));
            assertEquals(1, c.find(in("_id", ids)).into(new ArrayList<>()).get(299).getInteger("v"));
        }
    }
}

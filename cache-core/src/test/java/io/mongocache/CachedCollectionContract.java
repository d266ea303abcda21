package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Sorts;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every cache configuration must show against a real MongoDB. Each configuration (L1 only, L1 + Redis,
 * Redis Cluster) extends this class.
 */
abstract class CachedCollectionContract {

    protected MongoCache cache;
    protected MongoDatabase db;
    protected CachedCollection<Document> users;
    protected MongoCollection<Document> rawUsers;

    /** Builds the cache under test. */
    protected abstract MongoCacheBuilder configure(MongoCacheBuilder builder);

    @BeforeEach
    void setUp() {
        cache = configure(MongoCache.builder().databases(TestMongo.client())).build();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("contract"));
        rawUsers = db.getCollection("users");
        users = cache.wrap(rawUsers);
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            docs.add(new Document("_id", i).append("name", "user" + i).append("age", 20 + i)
                    .append("group", i % 3));
        }
        rawUsers.insertMany(docs);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        db.drop();
    }

    protected NamespaceStats stats() {
        return cache.stats().namespace(users.getNamespace().getFullName());
    }

    @Test
    void shouldServeRepeatedFindFromCache() {
        Document first = users.find(eq("_id", 3)).first();
        Document second = users.find(eq("_id", 3)).first();
        assertEquals(first, second);
        assertEquals("user3", second.getString("name"));
        assertEquals(1, stats().loads());
        assertEquals(1, stats().l1Hits() + stats().l2Hits());
    }

    @Test
    void shouldServeFreshDataAfterOwnWrite() {
        assertEquals("user3", users.find(eq("_id", 3)).first().getString("name"));
        assertEquals(20, users.countDocuments());
        users.updateOne(eq("_id", 3), set("name", "changed"));
        assertEquals("changed", users.find(eq("_id", 3)).first().getString("name"));
        users.insertOne(new Document("_id", 100).append("name", "new").append("age", 99).append("group", 1));
        assertEquals(21, users.countDocuments());
        users.deleteMany(gt("age", 30));
        assertEquals(11, users.countDocuments());
        assertEquals(List.of(0, 1, 2), users.distinct("group", Integer.class).into(new ArrayList<>()).stream()
                .sorted().toList());
    }

    @Test
    void shouldCacheEveryTerminalWithEqualResults() {
        Bson filter = gt("age", 25);
        List<Document> viaInto = users.find(filter).sort(Sorts.descending("age")).limit(5).into(new ArrayList<>());
        List<Document> viaIterator = new ArrayList<>();
        try (MongoCursor<Document> cursor = users.find(filter).sort(Sorts.descending("age")).limit(5).cursor()) {
            cursor.forEachRemaining(viaIterator::add);
        }
        List<Document> viaForEach = new ArrayList<>();
        users.find(filter).sort(Sorts.descending("age")).limit(5).forEach(viaForEach::add);
        List<String> viaMap = users.find(filter).sort(Sorts.descending("age")).limit(5)
                .map(d -> d.getString("name")).into(new ArrayList<>());
        List<Document> raw = rawUsers.find(filter).sort(Sorts.descending("age")).limit(5).into(new ArrayList<>());
        assertEquals(raw, viaInto);
        assertEquals(raw, viaIterator);
        assertEquals(raw, viaForEach);
        assertEquals(raw.stream().map(d -> d.getString("name")).toList(), viaMap);
        assertEquals(1, stats().loads(), "one load for the four identical queries");
        assertEquals(5, java.util.stream.StreamSupport.stream(users.find(filter).sort(Sorts.descending("age"))
                .limit(5).spliterator(), false).count());
    }

    @Test
    void shouldKeepResultAffectingOptionsInTheKey() {
        List<Document> ascending = users.find().sort(Sorts.ascending("age")).limit(3).into(new ArrayList<>());
        List<Document> descending = users.find().sort(Sorts.descending("age")).limit(3).into(new ArrayList<>());
        List<Document> projected = users.find().sort(Sorts.ascending("age")).limit(3)
                .projection(new Document("name", 1)).into(new ArrayList<>());
        assertEquals(0, ascending.get(0).getInteger("_id"));
        assertEquals(19, descending.get(0).getInteger("_id"));
        assertNull(projected.get(0).get("age"));
        // Field order is meaningful to MongoDB, so sorts that differ only in order are different keys.
        List<Document> byGroupThenAge = users.find().sort(new Document("group", 1).append("age", -1)).limit(1)
                .into(new ArrayList<>());
        List<Document> byAgeThenGroup = users.find().sort(new Document("age", -1).append("group", 1)).limit(1)
                .into(new ArrayList<>());
        assertEquals(18, byGroupThenAge.get(0).getInteger("_id"));
        assertEquals(19, byAgeThenGroup.get(0).getInteger("_id"));
        // Options that cannot change the result share the entry.
        long loads = stats().loads();
        users.find().sort(Sorts.ascending("age")).limit(3).batchSize(1).comment("x").into(new ArrayList<>());
        assertEquals(loads, stats().loads());
    }

    @Test
    void shouldReturnIndependentCopies() {
        Document first = users.find(eq("_id", 1)).first();
        first.put("name", "mutated");
        first.put("extra", List.of(1, 2));
        Document second = users.find(eq("_id", 1)).first();
        assertNotSame(first, second);
        assertEquals("user1", second.getString("name"));
        assertFalse(second.containsKey("extra"));
    }

    @Test
    void shouldBypassWithNoCache() {
        users.find(eq("_id", 1)).noCache().first();
        users.find(eq("_id", 1)).noCache().first();
        assertEquals(0, stats().loads());
        assertEquals(2, stats().bypasses());
        CachedCollection<Document> uncached = users.noCache();
        assertEquals(20, uncached.countDocuments());
        assertEquals(20, uncached.find().into(new ArrayList<>()).size());
        assertEquals(0, stats().loads());
        // Writes through an uncached view still invalidate.
        assertEquals("user2", users.find(eq("_id", 2)).first().getString("name"));
        uncached.updateOne(eq("_id", 2), set("name", "via-view"));
        assertEquals("via-view", users.find(eq("_id", 2)).first().getString("name"));
    }

    @Test
    void shouldRejectNonPositiveCacheTtl() {
        var e = assertThrows(IllegalArgumentException.class, () -> users.find().cacheTTL(Duration.ZERO));
        assertTrue(e.getMessage().startsWith("ttl"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> users.cacheTTL(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> users.aggregate(List.of()).cacheTTL(null));
        assertThrows(IllegalArgumentException.class, () -> users.distinct("a", String.class)
                .cacheTTL(Duration.ofMillis(-1)));
    }

    @Test
    void shouldShareOneLoadAmongConcurrentMisses() throws Exception {
        int threads = 8;
        AtomicInteger encodings = new AtomicInteger();
        // A filter whose encoding is slow: every caller encodes it for its key, and the one load encodes it again.
        // The load is slow enough that every other caller arrives while it is in flight.
        Bson slowFilter = new Bson() {
            @Override
            public <D> BsonDocument toBsonDocument(Class<D> documentClass, CodecRegistry registry) {
                encodings.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new BsonDocument("group", new org.bson.BsonInt32(1));
            }
        };
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long interruptionsBefore = interruptions();
        try {
            List<Future<List<Document>>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    barrier.await();
                    return users.find(slowFilter).sort(Sorts.ascending("_id")).into(new ArrayList<>());
                }));
            }
            List<Document> expected = rawUsers.find(eq("group", 1)).sort(Sorts.ascending("_id")).into(new ArrayList<>());
            for (Future<List<Document>> f : results) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long interruptions = interruptions() - interruptionsBefore;
        System.out.println("single-flight: " + threads + " concurrent misses -> " + stats().loads()
                + " MongoDB load(s), " + interruptions + " flush(es) or remote invalidation(s) meanwhile");
        // A flush (a re-subscription, Redis answering again) or another node's invalidation that lands mid-flight
        // makes the flight's result dead: the reads after it share one new load.
        assertTrue(stats().loads() >= 1 && stats().loads() <= 1 + interruptions,
                "one load, plus at most one per flush or remote invalidation meanwhile: " + stats().loads());
    }

    /** Events that legitimately end a flight's sharing: local-tier flushes and invalidations from other nodes. */
    private long interruptions() {
        CacheStats.Channel channel = cache.stats().channel();
        return channel.flushes() + channel.invalidations();
    }

    @Test
    void shouldInvalidateAggregateWhenALookedUpCollectionChanges() {
        MongoCollection<Document> rawGroups = db.getCollection("groups");
        rawGroups.insertOne(new Document("_id", 1).append("label", "one"));
        CachedCollection<Document> groups = cache.wrap(rawGroups);
        List<Bson> pipeline = List.of(Aggregates.match(eq("_id", 1)),
                Aggregates.lookup("groups", "group", "_id", "g"));
        Document before = users.aggregate(pipeline).first();
        assertEquals("one", before.getList("g", Document.class).get(0).getString("label"));
        groups.updateOne(eq("_id", 1), set("label", "uno"));
        Document after = users.aggregate(pipeline).first();
        assertEquals("uno", after.getList("g", Document.class).get(0).getString("label"));
        assertEquals(2, stats().loads());
    }

    @Test
    void shouldTreatOutStageAsAWriteToItsTarget() {
        CachedCollection<Document> summary = cache.wrap(db.getCollection("summary"));
        assertEquals(0, summary.countDocuments());
        users.aggregate(List.of(Aggregates.match(eq("group", 0)), Aggregates.out("summary"))).toCollection();
        assertEquals(rawUsers.countDocuments(eq("group", 0)), summary.countDocuments());
    }

    @Test
    void shouldInvalidateOnMethodsTheProxyDoesNotKnow() {
        // createSearchIndex is deliberately not in the routing table: the generated subclass handles it.
        assertEquals("user1", users.find(eq("_id", 1)).first().getString("name"));
        long before = stats().invalidations();
        try {
            users.createSearchIndex(new Document("mappings", new Document("dynamic", true)));
        } catch (RuntimeException serverSaysNo) {
            // Most servers without Atlas Search refuse; the invalidation must happen anyway.
        }
        assertEquals(before + 1, stats().invalidations());
        users.listSearchIndexes(); // known read-only: no invalidation
        assertEquals(before + 1, stats().invalidations());
        assertTrue(users.getClass().getName().endsWith("$Proxy"), users.getClass().getName());
    }

    @Test
    void shouldWrapDerivedCollections() {
        CachedCollection<BsonDocument> bson = users.withDocumentClass(BsonDocument.class);
        assertInstanceOf(BsonDocument.class, bson.find(eq("_id", 4)).first());
        assertInstanceOf(CachedCollection.class, users.withReadPreference(com.mongodb.ReadPreference.primary()));
        assertEquals(users.getNamespace(), users.withWriteConcern(com.mongodb.WriteConcern.MAJORITY).getNamespace());
        assertEquals(users, cache.wrap(users));
    }

    @Test
    void shouldInvalidateBothNamespacesOnRename() {
        assertEquals(20, users.countDocuments());
        CachedCollection<Document> renamedView = cache.wrap(db.getCollection("renamed"));
        assertEquals(0, renamedView.countDocuments());
        users.renameCollection(new MongoNamespace(db.getName(), "renamed"));
        assertEquals(0, users.countDocuments());
        assertEquals(20, renamedView.countDocuments());
    }

    @Test
    void shouldRouteDbToTheSameCollectionInAnotherDatabase() {
        String otherName = TestMongo.uniqueDatabaseName("other");
        try {
            CachedCollection<Document> other = users.db(otherName);
            assertEquals(otherName + ".users", other.getNamespace().getFullName());
            other.insertOne(new Document("_id", 1).append("name", "elsewhere"));
            assertEquals("user1", users.find(eq("_id", 1)).first().getString("name"));
            assertEquals("elsewhere", other.find(eq("_id", 1)).first().getString("name"));
            long loads = stats().loads();
            other.updateOne(eq("_id", 1), set("name", "moved"));
            assertEquals("user1", users.find(eq("_id", 1)).first().getString("name"));
            assertEquals(loads, stats().loads(), "a write in another database does not invalidate this one");
            assertEquals("moved", other.find(eq("_id", 1)).first().getString("name"));
        } finally {
            TestMongo.client().getDatabase(otherName).drop();
        }
        try (MongoCache withoutRouter = MongoCache.builder().build()) {
            var e = assertThrows(MongoCacheConfigurationException.class, () -> withoutRouter.wrap(rawUsers).db("x"));
            assertTrue(e.getMessage().contains("databases"), e.getMessage());
        }
    }

    @Test
    void shouldRecordStatisticsAsJson() {
        users.find(eq("_id", 1)).first();
        users.find(eq("_id", 1)).first();
        String json = cache.stats().toJson();
        assertTrue(json.contains("\"" + users.getNamespace().getFullName() + "\""), json);
        assertTrue(json.contains("\"loads\" : 1"), json);
    }
}

package io.mongocache.micrometer;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache's meters over a real cache with Redis and MongoDB: they exist as documented and follow its work. */
class MongoCacheMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String prefix = "metrics" + System.nanoTime();
    private MongoDatabase db;
    private MongoCache cache;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("metrics"));
        cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        MongoCacheMetrics.builder(cache).name("main").snapshotMaxAge(Duration.ZERO).build().bindTo(registry);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        db.drop();
    }

    /** The count of a counter, or the value of a gauge, as the registry reads it now. */
    static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).meter().measure().iterator().next().getValue();
    }

    private double count(String name, String... tags) {
        return count(registry, name, tags);
    }

    @Test
    void shouldRegisterEveryDocumentedMeterWithTheCacheTag() {
        List<String[]> documented = List.of(
                new String[] {"cache.gets", "result", "hit", "tier", "l1"},
                new String[] {"cache.gets", "result", "miss", "tier", "l1"},
                new String[] {"cache.gets", "result", "hit", "tier", "l2"},
                new String[] {"cache.gets", "result", "miss", "tier", "l2"},
                new String[] {"cache.puts"},
                new String[] {"cache.evictions"},
                new String[] {"cache.size"},
                new String[] {"mongocache.local.size"},
                new String[] {"mongocache.loads"},
                new String[] {"mongocache.reloads"},
                new String[] {"mongocache.bypasses"},
                new String[] {"mongocache.uncacheable"},
                new String[] {"mongocache.invalidations"},
                new String[] {"mongocache.redis.errors"},
                new String[] {"mongocache.redis.skipped"},
                new String[] {"mongocache.redis.connection.errors"},
                new String[] {"mongocache.redis.available"},
                new String[] {"mongocache.local.trusted"},
                new String[] {"mongocache.channel.messages"},
                new String[] {"mongocache.channel.invalidations"},
                new String[] {"mongocache.channel.gaps"},
                new String[] {"mongocache.channel.flushes"},
                new String[] {"mongocache.channel.lag"});
        for (String[] meter : documented) {
            String[] tags = java.util.Arrays.copyOfRange(meter, 1, meter.length);
            assertEquals("main", registry.get(meter[0]).tags(tags).meter().getId().getTag("cache"), meter[0]);
        }
        assertEquals(documented.size(), registry.getMeters().size(), "no meter beyond the documented ones");
        assertEquals("bytes", registry.get("mongocache.local.size").meter().getId().getBaseUnit());
        assertEquals("seconds", registry.get("mongocache.channel.lag").meter().getId().getBaseUnit());
        assertNull(registry.find("cache.gets").tagKeys("namespace").meter(), "totals only by default");
    }

    @Test
    void shouldFollowMissesHitsLoadsSizeAndWritesAsTheCacheWorks() throws Exception {
        Await.until(() -> count("mongocache.redis.available") == 1, WAIT, "Redis to be available");
        Await.until(() -> count("mongocache.local.trusted") == 1, WAIT, "the local tier to be trusted");
        // Trust came from this node's own heartbeat coming back: the channel's lag is measured by then.
        Await.until(() -> count("mongocache.channel.lag") >= 0, WAIT, "the channel's lag to be measured");
        CachedCollection<Document> users = cache.wrap(db.getCollection("users"));

        users.insertOne(new Document("_id", 1).append("name", "ada"));
        assertEquals(1, count("mongocache.invalidations"), "the write invalidated its document");

        assertEquals(0, count("cache.size"));
        assertEquals("ada", users.find(eq("_id", 1)).first().getString("name"));
        assertEquals(1, count("cache.gets", "result", "miss", "tier", "l1"));
        assertEquals(0, count("cache.gets", "result", "hit", "tier", "l1"));
        assertEquals(1, count("cache.puts"));
        assertEquals(1, registry.get("mongocache.loads").functionTimer().count());
        assertEquals(1, count("cache.size"), "one entry after the load");
        assertTrue(count("mongocache.local.size") > 0, "the entry's bytes");

        assertEquals("ada", users.find(eq("_id", 1)).first().getString("name"));
        assertEquals(1, count("cache.gets", "result", "hit", "tier", "l1"));
        assertEquals(1, count("cache.gets", "result", "miss", "tier", "l1"), "the hit is no miss");
        assertEquals(1, count("cache.puts"), "a hit loads nothing");

        users.find(eq("_id", 1)).noCache().first();
        assertEquals(1, count("mongocache.bypasses"));
        users.updateOne(eq("_id", 1), set("name", "grace"));
        assertEquals(2, count("mongocache.invalidations"));
    }

    @Test
    void shouldCountSharedTierHitsAndTheInvalidationsOtherNodesSend() throws Exception {
        db.getCollection("users").insertOne(new Document("_id", 1).append("name", "ada"));
        // Node B shares Redis and has no local tier: its repeated reads are Redis hits once its load is installed.
        try (MongoCache nodeB = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).maxLocalBytes(0)
                .build()) {
            SimpleMeterRegistry registryB = new SimpleMeterRegistry();
            MongoCacheMetrics.builder(nodeB).name("b").snapshotMaxAge(Duration.ZERO).build().bindTo(registryB);
            CachedCollection<Document> usersB = nodeB.wrap(db.getCollection("users"));
            Await.until(() -> count(registryB, "mongocache.redis.available") == 1, WAIT, "node B's Redis");
            usersB.find(eq("_id", 1)).first();
            assertEquals(1, count(registryB, "cache.gets", "result", "miss", "tier", "l2"));
            Await.until(() -> {
                usersB.find(eq("_id", 1)).first();
                return count(registryB, "cache.gets", "result", "hit", "tier", "l2") >= 1;
            }, WAIT, "a Redis hit on node B");

            Await.until(() -> count("mongocache.local.trusted") == 1, WAIT, "node A to hear the channel");
            double received = count("mongocache.channel.invalidations");
            usersB.updateOne(eq("_id", 1), set("name", "grace"));
            assertEquals(1, count(registryB, "mongocache.invalidations"));
            Await.until(() -> count("mongocache.channel.invalidations") == received + 1, WAIT,
                    "node A to receive node B's invalidation");
            assertTrue(count("mongocache.channel.messages") >= count("mongocache.channel.invalidations"),
                    "messages include invalidations and heartbeats");
        }
    }

    @Test
    void shouldTagTheFirstNamespaceSeenAndSumTheOthersUnderOther() {
        SimpleMeterRegistry tagged = new SimpleMeterRegistry();
        MongoCacheMetrics.builder(cache).name("tagged").namespaceTags(1).snapshotMaxAge(Duration.ZERO).build()
                .bindTo(tagged);
        CachedCollection<Document> first = cache.wrap(db.getCollection("first"));
        CachedCollection<Document> second = cache.wrap(db.getCollection("second"));
        first.find(eq("_id", 1)).first();
        count(tagged, "cache.puts", "namespace", TaggedRows.OTHER); // a registry read: tags the namespace seen
        second.find(eq("_id", 1)).first();
        second.find(eq("_id", 2)).first();

        String firstName = db.getName() + ".first";
        assertEquals(1, count(tagged, "cache.puts", "namespace", firstName));
        assertEquals(2, count(tagged, "cache.puts", "namespace", TaggedRows.OTHER));
        assertNull(tagged.find("cache.puts").tag("namespace", db.getName() + ".second").meter(), "beyond the bound");
        assertEquals(cache.stats().totals().loads(), tagged.find("cache.puts").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum(), "the series sum to the totals");
        assertTrue(tagged.getMeters().stream().allMatch(m -> m.getId().getTag("cache").equals("tagged")));
        Tags common = Tags.of("cache", "tagged");
        assertTrue(tagged.find("cache.size").tags(common).gauge() != null, "cache-wide meters are there too");
    }
}

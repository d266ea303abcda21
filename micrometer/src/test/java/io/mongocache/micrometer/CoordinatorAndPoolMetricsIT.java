package io.mongocache.micrometer;

import static io.mongocache.micrometer.MongoCacheMetricsIT.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.coordination.LeaseSettings;
import io.mongocache.coordination.WatchScope;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters of a {@link Coordinator} (one node, so it leads) and of {@link MongoPools} with a separate pool. */
class CoordinatorAndPoolMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Longer than any test: the one node leads from its first acquisition to its close. */
    private static final LeaseSettings LEASE =
            new LeaseSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMillis(300));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String tenant = TestMongo.uniqueDatabaseName("tenant");
    private MongoDatabase app;
    private MongoDatabase state;
    private MongoPools pools;
    private MongoCache cache;
    private Coordinator coordinator;

    @BeforeEach
    void setUp() {
        app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("app"));
        state = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state"));
        app.getCollection("c").insertOne(new Document("_id", 1));
        pools = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                .separatePool(tenant, PoolOptions.builder().maxConnections(2).build()).build();
        cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("metrics" + System.nanoTime())
                .databases(pools::database).build();
        coordinator = Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(state.getName())
                .nodeId("metrics").lease(LEASE).heartbeatInterval(Duration.ofMillis(200))
                .watch(WatchScope.collections(app.getName() + ".c")).start();
        MongoCacheMetrics.builder(cache).name("main").pools(pools).coordinator(coordinator)
                .snapshotMaxAge(Duration.ZERO).build().bindTo(registry);
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        cache.close();
        pools.database(tenant).drop();
        pools.close();
        app.drop();
        state.drop();
    }

    @Test
    void shouldShowLeadershipTheWatcherAndZeroDelegationsOfALoneNode() throws Exception {
        Await.until(() -> count(registry, "mongocache.coordinator.leader") == 1, WAIT, "the node to lead");
        Await.until(() -> count(registry, "mongocache.coordinator.streams", "state", "open") == 1, WAIT,
                "the watcher's stream");
        assertEquals(coordinator.lease().orElseThrow().epoch(), count(registry, "mongocache.coordinator.epoch"));
        assertEquals(0, count(registry, "mongocache.coordinator.streams", "state", "closed"));
        Await.until(() -> count(registry, "mongocache.coordinator.nodes") == 1, WAIT, "the node in the registry");
        assertEquals(1, count(registry, "mongocache.coordinator.healthy"));
        assertEquals(0, count(registry, "mongocache.coordinator.stepdowns"));

        double events = count(registry, "mongocache.coordinator.events");
        app.getCollection("c").insertOne(new Document("_id", 2)); // an outside write: the watcher sees it
        Await.until(() -> count(registry, "mongocache.coordinator.events") > events, WAIT, "the outside write");

        for (String[] tags : new String[][] {{"direction", "sent", "outcome", "answered"},
                {"direction", "sent", "outcome", "no_peer"}, {"direction", "received", "outcome", "served"},
                {"direction", "received", "outcome", "refused"}}) {
            assertEquals(0, count(registry, "mongocache.delegations", tags), String.join(",", tags));
        }
        assertEquals(0, count(registry, "mongocache.delegation.retries"));
        assertEquals(0, count(registry, "mongocache.delegation.pending"));
        assertEquals("main", registry.get("mongocache.coordinator.leader").meter().getId().getTag("cache"));
    }

    private static double connections(MeterRegistry registry, String database) {
        return registry.find("mongocache.pool.connections").tag("database", database).gauges().stream()
                .mapToDouble(Gauge::value).sum();
    }

    @Test
    void shouldShowEachPoolsConnectionsUnderItsDatabaseWithinTheBound() throws Exception {
        SimpleMeterRegistry bounded = new SimpleMeterRegistry();
        MongoCacheMetrics.builder(cache).name("bounded").pools(pools).poolTags(1).snapshotMaxAge(Duration.ZERO)
                .build().bindTo(bounded);
        assertEquals(2, registry.find("mongocache.pool.connections").tag("database", MongoPools.PRIMARY).gauges()
                .size(), "in_use and available");
        assertEquals(0, connections(registry, tenant), "a cold pool has no connection yet");

        pools.database(tenant).getCollection("x").insertOne(new Document("_id", 1)); // opens the tenant's pool
        Await.until(() -> connections(registry, tenant) >= 1, WAIT, "the tenant pool's connection");
        assertEquals(0, count(registry, "mongocache.pool.waiting", "database", tenant));

        assertNull(bounded.find("mongocache.pool.connections").tag("database", tenant).meter(), "beyond the bound");
        assertEquals(connections(registry, tenant), connections(bounded, TaggedRows.OTHER),
                "the tenant pool is summed under (other)");
        assertEquals(connections(registry, MongoPools.PRIMARY), connections(bounded, MongoPools.PRIMARY));
    }
}

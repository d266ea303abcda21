package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
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

/**
 * Two coordinators in one JVM: one leads and watches, both appear in the node registry, outside writes reach both
 * caches, and a leader that closes releases the lease so the other takes over at once rather than after the lease.
 */
class CoordinatorIT {
    /**
     * A lease far longer than any wait here: no lease expires during a test, so a node can take the lease over only
     * if its holder released it — which is what these tests claim, without timing a takeover.
     */
    private static final LeaseSettings LEASE =
            new LeaseSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMillis(300));

    private MongoDatabase app;
    private MongoDatabase state;
    private MongoCache cacheA;
    private MongoCache cacheB;
    private Coordinator a;
    private Coordinator b;

    @BeforeEach
    void setUp() {
        app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("coord"));
        state = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state"));
        app.getCollection("c").insertOne(new Document("_id", 1).append("v", 0));
        String prefix = "coord" + System.nanoTime();
        cacheA = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        cacheB = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        a = coordinator("a", cacheA);
        b = coordinator("b", cacheB);
    }

    private Coordinator coordinator(String node, MongoCache cache) {
        return Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(state.getName())
                .nodeId(node).lease(LEASE).heartbeatInterval(Duration.ofMillis(200))
                .watch(WatchScope.collections(app.getName() + ".c")).start();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        cacheA.close();
        cacheB.close();
        app.drop();
        state.drop();
    }

    @Test
    void shouldLeadOnceRegisterBothNodesAndHandOverOnClose() throws Exception {
        Await.until(() -> a.isLeader() || b.isLeader(), Duration.ofSeconds(5), "a leader");
        Coordinator leader = a.isLeader() ? a : b;
        Coordinator follower = leader == a ? b : a;
        assertTrue(!follower.isLeader(), "one leader");
        Await.until(() -> leader.status().streamsOpen() == 1, Duration.ofSeconds(5), "the stream");
        Await.until(() -> follower.peers().size() == 2, Duration.ofSeconds(5), "both nodes in the registry");
        long epoch = leader.lease().orElseThrow().epoch();
        Await.until(() -> follower.registry().records().stream().anyMatch(d -> d.get("leaderEpoch") != null),
                Duration.ofSeconds(5), "the registry to show the leader");
        List<Document> records = follower.registry().records();
        Document leaderRecord = records.stream().filter(d -> d.get("_id").equals(leader.nodeId())).findFirst()
                .orElseThrow();
        assertEquals(epoch, leaderRecord.get("leaderEpoch", Number.class).longValue());
        assertNotNull(leaderRecord.get("heartbeatAt"));
        assertNotNull(leaderRecord.get("host"));
        assertEquals(ProcessHandle.current().pid(), leaderRecord.get("pid", Number.class).longValue());

        MongoCollection<Document> outside = app.getCollection("c");
        List<CachedCollection<Document>> nodes = List.of(cacheA.wrap(outside), cacheB.wrap(outside));
        for (CachedCollection<Document> node : nodes) {
            assertEquals(0, node.find(eq("_id", 1)).first().getInteger("v"));
        }
        outside.updateOne(eq("_id", 1), set("v", 1));
        for (CachedCollection<Document> node : nodes) {
            Await.until(() -> node.find(eq("_id", 1)).first().getInteger("v") == 1, Duration.ofSeconds(5),
                    "the outside write on every node");
        }

        leader.close();
        // The lease would last ten more minutes: only its release lets the other node lead within the guard.
        Await.until(follower::isLeader, Duration.ofSeconds(30), "the other node to take the released lease");
        assertEquals(epoch + 1, follower.lease().orElseThrow().epoch());
        assertNull(state.getCollection("nodes").find(eq("_id", leader.nodeId())).first(),
                "a closed node leaves the registry");
        Await.until(() -> follower.status().streamsOpen() == 1, Duration.ofSeconds(5), "the new leader's stream");
        outside.updateOne(eq("_id", 1), set("v", 2));
        Await.until(() -> nodes.get(follower == a ? 0 : 1).find(eq("_id", 1)).first().getInteger("v") == 2,
                Duration.ofSeconds(5), "an outside write after the handover");
    }

    @Test
    void shouldKeepTheSettingsItStartedWithWhenTheBuilderChangesLater() throws Exception {
        MongoDatabase otherState = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state2"));
        Coordinator.Builder builder = Coordinator.builder().client(TestMongo.client()).cache(cacheA)
                .stateDatabase(otherState.getName()).nodeId("frozen").lease(LEASE)
                .heartbeatInterval(Duration.ofMillis(200));
        try (Coordinator c = builder.start()) {
            builder.nodeId("changed").stateDatabase("elsewhere").leaseName("other");
            assertEquals("frozen", c.nodeId());
            Await.until(() -> c.peers().stream().anyMatch(p -> p.nodeId().equals("frozen")), Duration.ofSeconds(10),
                    "registered under the name it started with");
            assertTrue(c.peers().stream().noneMatch(p -> p.nodeId().equals("changed")), c.peers().toString());
        } finally {
            otherState.drop();
        }
    }

    @Test
    void shouldKeepBothDeploymentsWatchingWhenTheyShareAStateDatabase() throws Exception {
        // Deployment x has led before (epoch 5, expired), deployment y never: their epochs differ, so checkpoints
        // shared between them would fence y's watcher off for good.
        state.getCollection("leases").insertOne(new Document("_id", "x").append("holder", "gone").append("epoch", 5L)
                .append("renewedAt", new java.util.Date(0)).append("durationMillis", 1L));
        MongoCache cacheX = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("x" + System.nanoTime()).build();
        MongoCache cacheY = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("y" + System.nanoTime()).build();
        try (Coordinator x = deployment("x", cacheX); Coordinator y = deployment("y", cacheY)) {
            Await.until(() -> x.isLeader() && y.isLeader(), Duration.ofSeconds(5), "both deployments to lead");
            assertEquals(6, x.lease().orElseThrow().epoch());
            assertEquals(1, y.lease().orElseThrow().epoch());
            MongoCollection<Document> outside = app.getCollection("c");
            List<CachedCollection<Document>> nodes = List.of(cacheX.wrap(outside), cacheY.wrap(outside));
            Await.until(() -> x.status().streamsOpen() == 1 && y.status().streamsOpen() == 1, Duration.ofSeconds(5),
                    "both streams");
            for (int v = 1; v <= 3; v++) {
                for (CachedCollection<Document> node : nodes) {
                    node.find(eq("_id", 1)).first(); // cached
                }
                outside.updateOne(eq("_id", 1), set("v", v));
                int expected = v;
                for (CachedCollection<Document> node : nodes) {
                    Await.until(() -> node.find(eq("_id", 1)).first().getInteger("v") == expected,
                            Duration.ofSeconds(5), "outside write " + v + " in both deployments");
                }
            }
            for (Coordinator c : List.of(x, y)) {
                assertEquals(0, c.status().stepDowns(), c.status().toString());
                assertTrue(c.health().healthy(), c.health().toString());
                assertTrue(c.isLeader());
            }
            assertEquals(2, state.getCollection("checkpoints").countDocuments(com.mongodb.client.model.Filters.in("lease",
                    "x", "y")), "one checkpoint per lease");
            // One nodes collection, two deployments: each sees (and would delegate to) only its own nodes.
            Await.until(() -> x.peers().size() == 1 && y.peers().size() == 1
                    && state.getCollection("nodes").countDocuments(
                            com.mongodb.client.model.Filters.in("_id", "x-node", "y-node")) == 2,
                    Duration.ofSeconds(5), "both nodes registered");
            assertEquals(List.of("x-node"), x.peers().stream().map(NodeRegistry.Peer::nodeId).toList());
            assertEquals(List.of("y-node"), y.peers().stream().map(NodeRegistry.Peer::nodeId).toList());
            assertEquals(List.of("x-node"), x.registry().records().stream().map(d -> d.getString("_id")).toList());
        } finally {
            cacheX.close();
            cacheY.close();
        }
    }

    private Coordinator deployment(String leaseName, MongoCache cache) {
        return Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(state.getName())
                .nodeId(leaseName + "-node").leaseName(leaseName).lease(LEASE)
                .heartbeatInterval(Duration.ofMillis(200)).watch(WatchScope.collections(app.getName() + ".c"))
                .start();
    }

    @Test
    void shouldStepDownVisiblyWhenANewerEpochOwnsItsCheckpoint() throws Exception {
        Await.until(() -> a.isLeader() || b.isLeader(), Duration.ofSeconds(5), "a leader");
        Coordinator leader = a.isLeader() ? a : b;
        Coordinator follower = leader == a ? b : a;
        Await.until(() -> leader.status().streamsOpen() == 1, Duration.ofSeconds(5), "the stream");
        long epoch = leader.lease().orElseThrow().epoch();
        // What a newer leader's claim leaves behind: the checkpoint under the next epoch of the same lease.
        state.getCollection("checkpoints").updateOne(
                eq("_id", ChangeStreamWatcher.checkpointId("watcher", app.getName() + ".c")), set("epoch", epoch + 1));
        app.getCollection("c").updateOne(eq("_id", 1), set("v", 1)); // its checkpoint is refused

        Await.until(() -> leader.status().stepDowns() == 1, Duration.ofSeconds(5), "the fenced leader to step down");
        assertTrue(leader.status().lastStepDown().contains("newer epoch"), leader.status().toString());
        assertTrue(!leader.health().healthy(), "health shows the step-down");
        // Until the resignation runs on the elector's thread the fenced watcher may be listed too.
        assertTrue(leader.health().problems().stream().anyMatch(p -> p.contains("handed the watcher over")),
                leader.health().toString());
        Await.until(follower::isLeader, Duration.ofSeconds(5), "the other node to take over");
        Await.until(() -> follower.status().streamsOpen() == 1, Duration.ofSeconds(5), "its stream");
        MongoCollection<Document> outside = app.getCollection("c");
        CachedCollection<Document> onFollower = (follower == a ? cacheA : cacheB).wrap(outside);
        onFollower.find(eq("_id", 1)).first();
        outside.updateOne(eq("_id", 1), set("v", 2));
        Await.until(() -> onFollower.find(eq("_id", 1)).first().getInteger("v") == 2, Duration.ofSeconds(5),
                "outside writes after the hand-over");
        assertTrue(follower.health().healthy(), follower.health().toString());
    }

    @Test
    void shouldNeverActOnItsOwnStateCollectionsWhenTheStateDatabaseIsWatched() throws Exception {
        MongoCollection<Document> inState = state.getCollection("app");
        inState.insertOne(new Document("_id", 1).append("v", 0));
        try (Coordinator watchingState = Coordinator.builder().client(TestMongo.client()).cache(cacheA)
                .stateDatabase(state.getName()).nodeId("s").leaseName("state-watcher").lease(LEASE)
                .heartbeatInterval(Duration.ofMillis(100)).collectionRefresh(Duration.ofMillis(200))
                .watch(WatchScope.databases(state.getName())).start()) {
            Await.until(() -> watchingState.isLeader() && watchingState.status().streamsOpen() >= 1,
                    Duration.ofSeconds(5), "the state database's streams");
            // Let the library write its own documents for a while: heartbeats every 100 ms, lease renewals,
            // checkpoints of two other coordinators.
            awaitHeartbeats(watchingState, 5);
            Coordinator.Status status = watchingState.status();
            assertEquals(List.of(state.getName() + ".app"), status.scopes(), "only the application's collection");
            assertEquals(0, status.events(), "no event of the library's own writes was acted on: " + status);

            CachedCollection<Document> cached = cacheA.wrap(inState);
            assertEquals(0, cached.find(eq("_id", 1)).first().getInteger("v"));
            inState.updateOne(eq("_id", 1), set("v", 1));
            Await.until(() -> cached.find(eq("_id", 1)).first().getInteger("v") == 1, Duration.ofSeconds(5),
                    "an application write in the state database");
        }
    }

    /** Waits until {@code node} has written {@code count} further heartbeats to the registry. */
    private void awaitHeartbeats(Coordinator node, int count) throws InterruptedException {
        java.util.Set<Object> seen = new java.util.HashSet<>();
        Await.until(() -> {
            node.registry().records().stream().filter(d -> d.get("_id").equals(node.nodeId()))
                    .forEach(d -> seen.add(d.get("heartbeatAt")));
            return seen.size() > count;
        }, Duration.ofSeconds(10), count + " heartbeats of " + node.nodeId());
    }
}

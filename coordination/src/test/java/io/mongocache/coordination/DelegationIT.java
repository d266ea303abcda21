package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.gte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Reads delegated over Redis between real processes: this JVM is the saturated node (its pool for the database
 * has one connection, held by a read the proxy in front of MongoDB keeps waiting); two peers run as separate JVMs,
 * each with its own proxied pool so the test can slow or saturate it. The peer with more free capacity is asked
 * first, which lets the last test kill it right after it acknowledged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DelegationIT {
    private static final Duration ACK = Duration.ofMillis(500);
    private static MongoDatabase app;
    private static String stateDb;
    private static TcpProxy mine;
    private static TcpProxy bigPeerLink;
    private static TcpProxy smallPeerLink;
    private static NodeProcess bigPeer;
    private static NodeProcess smallPeer;
    private static MongoPools pools;
    private static MongoCache cache;
    private static Coordinator coordinator;

    @BeforeAll
    static void setUp() throws Exception {
        app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("tenant"));
        stateDb = TestMongo.uniqueDatabaseName("state");
        List<Document> orders = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            orders.add(new Document("_id", i).append("n", (long) i).append("pad", "x".repeat(1000 + i)));
        }
        app.getCollection("orders").insertMany(orders);
        mine = TcpProxy.raw(TestMongo.port());
        bigPeerLink = TcpProxy.raw(TestMongo.port());
        smallPeerLink = TcpProxy.raw(TestMongo.port());
        String prefix = "dlg" + System.nanoTime();
        bigPeer = NodeProcess.start("big", peerArgs(prefix, bigPeerLink, 8));
        smallPeer = NodeProcess.start("small", peerArgs(prefix, smallPeerLink, 4));
        bigPeer.ask("ping", l -> l.equals("PONG"), Duration.ofSeconds(10)); // open the peers' pools
        smallPeer.ask("ping", l -> l.equals("PONG"), Duration.ofSeconds(10));
        pools = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                .database(app.getName(), PoolOptions.builder().uri("mongodb://127.0.0.1:" + mine.port())
                        .maxConnections(1).build()).build();
        cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        coordinator = Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(stateDb)
                .nodeId("requester").heartbeatInterval(Duration.ofMillis(300)).pools(pools).delegate(app.getName())
                .delegation(new DelegationSettings(ACK, 3, 4, 64 * 1024)).start();
        Await.until(() -> capacity("big") > 0 && capacity("small") > 0, Duration.ofSeconds(10),
                "both peers to advertise capacity");
    }

    private static Map<String, String> peerArgs(String prefix, TcpProxy link, int max) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("mongo", TestMongo.connectionString());
        args.put("redis", TestRedis.uri());
        args.put("prefix", prefix);
        args.put("state", stateDb);
        args.put("delegate", app.getName());
        args.put("delegateUri", "mongodb://127.0.0.1:" + link.port());
        args.put("delegateMax", Integer.toString(max));
        args.put("ack", Long.toString(ACK.toMillis()));
        return args;
    }

    @AfterAll
    static void tearDown() throws Exception {
        coordinator.close();
        cache.close();
        pools.close();
        bigPeer.close();
        smallPeer.close();
        mine.close();
        bigPeerLink.close();
        smallPeerLink.close();
        app.drop();
        TestMongo.client().getDatabase(stateDb).drop();
    }

    @AfterEach
    void noPendingRequests() {
        assertEquals(0, coordinator.delegationStats().orElseThrow().pending(), "pending requests after the test");
    }

    private static int capacity(String node) {
        return coordinator.peers().stream().filter(p -> p.nodeId().equals(node)).mapToInt(p -> p.capacity(
                app.getName())).findFirst().orElse(0);
    }

    /** Holds this node's only connection to the database with a read the proxy delays. */
    private static CompletableFuture<Void> saturateThisNode(Duration forHow) throws InterruptedException {
        mine.delayReplies(forHow);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
            try {
                pools.database(app.getName()).getCollection("orders").find().first();
            } catch (RuntimeException e) {
                // released
            }
        });
        Await.until(() -> pools.pools().isSaturated(app.getName()), Duration.ofSeconds(5), "this node's pool to "
                + "saturate");
        // Only once the held reply went through: a reply still in flight reads the delay when it arrives.
        return held.whenComplete((v, e) -> mine.delayReplies(Duration.ZERO));
    }

    private static ReadRequest bigRead() {
        return ReadRequest.find(app.getName(), "orders", gte("n", 100L)).sort(Sorts.ascending("_id"));
    }

    private static List<Document> direct() {
        return app.getCollection("orders").find(gte("n", 100L)).sort(Sorts.ascending("_id"))
                .into(new ArrayList<>());
    }

    @Test
    @Order(0)
    void shouldStopReceivingAResultLargerThanTheCallerAccepts() {
        Delegation delegation = coordinator.delegation().orElseThrow();
        long delegatedBefore = coordinator.delegationStats().orElseThrow().delegated();
        ResultTooLargeException e = org.junit.jupiter.api.Assertions.assertThrows(ResultTooLargeException.class,
                () -> delegation.readRaw(bigRead(), Duration.ofSeconds(5), 64 * 1024));
        assertTrue(e.getMessage().contains("maxBytes (65536)"), e.getMessage());
        assertEquals(delegatedBefore, coordinator.delegationStats().orElseThrow().delegated());
        // Within the limit the same read is answered whole.
        List<org.bson.RawBsonDocument> whole = delegation.readRaw(bigRead(), Duration.ofSeconds(5), 1 << 20);
        assertEquals(direct(), Delegation.documents(whole));
    }

    @Test
    @Order(1)
    void shouldRunLocallyWhileThePoolHasRoomAndOnAPeerWhenSaturated() throws Exception {
        long delegatedBefore = coordinator.delegationStats().orElseThrow().delegated();
        assertEquals(direct(), coordinator.read(bigRead(), Duration.ofSeconds(5)));
        assertEquals(delegatedBefore, coordinator.delegationStats().orElseThrow().delegated(), "ran locally");

        CompletableFuture<Void> held = saturateThisNode(Duration.ofSeconds(3));
        long start = System.nanoTime();
        List<Document> answer = coordinator.read(bigRead(), Duration.ofSeconds(5));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(held.isDone(), "the pool was still saturated while the peer answered");
        assertEquals(direct(), answer, "a delegated read equals the direct query");
        assertEquals(delegatedBefore + 1, coordinator.delegationStats().orElseThrow().delegated());
        System.out.printf("delegation: %d documents (%d KB, in 64 KiB chunks) from a peer in %d ms%n",
                answer.size(), answer.stream().mapToInt(d -> d.getString("pad").length()).sum() / 1024, millis);
        held.join();

        CompletableFuture<Void> again = saturateThisNode(Duration.ofSeconds(3));
        assertEquals(List.of(new Document("n", 500L)), coordinator.read(ReadRequest.count(app.getName(), "orders",
                gte("n", 100L)), Duration.ofSeconds(5)));
        again.join();
    }

    @Test
    @Order(2)
    void shouldThrowTheTypedExceptionWithinTheDeadlineWhenEveryPeerIsSaturated() throws Exception {
        bigPeerLink.delayReplies(Duration.ofSeconds(6));
        smallPeerLink.delayReplies(Duration.ofSeconds(6));
        bigPeer.ask("hold 8", l -> l.startsWith("HOLDING"), Duration.ofSeconds(5));
        smallPeer.ask("hold 4", l -> l.startsWith("HOLDING"), Duration.ofSeconds(5));
        CompletableFuture<Void> held = saturateThisNode(Duration.ofSeconds(6));
        Duration deadline = Duration.ofMillis(1500);
        long noPeerBefore = coordinator.delegationStats().orElseThrow().noPeer();
        // First at once (the registry may still advertise room: the peers refuse), then once it shows them full
        // (no peer is even asked).
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            NoPeerAvailableException e = assertThrows(NoPeerAvailableException.class,
                    () -> coordinator.read(bigRead(), deadline));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("delegation: every peer saturated → " + e.getMessage() + " after " + millis + " ms");
            assertTrue(millis <= deadline.toMillis() + 250, "took " + millis + " ms");
            assertEquals(app.getName(), e.database());
            Await.until(() -> capacity("big") == 0 && capacity("small") == 0, Duration.ofSeconds(3),
                    "the registry to show both peers full");
        }
        bigPeerLink.delayReplies(Duration.ZERO);
        smallPeerLink.delayReplies(Duration.ZERO);
        assertEquals(noPeerBefore + 2, coordinator.delegationStats().orElseThrow().noPeer());
        held.join();
        Await.until(() -> capacity("big") > 0 && capacity("small") > 0, Duration.ofSeconds(10),
                "the peers to recover");
    }

    @Test
    @Order(3)
    void shouldRetryElsewhereInTimeWhenAPeerDiesAfterItsAck() throws Exception {
        bigPeerLink.delayReplies(Duration.ofSeconds(3)); // the big peer acks, then its query hangs
        CompletableFuture<Void> held = saturateThisNode(Duration.ofSeconds(4));
        long retriesBefore = coordinator.delegationStats().orElseThrow().retries();
        long start = System.nanoTime();
        CompletableFuture<List<Document>> answer = CompletableFuture.supplyAsync(
                () -> coordinator.read(bigRead(), Duration.ofSeconds(4)));
        Thread.sleep(250);
        bigPeer.kill();
        List<Document> result = answer.get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(direct(), result);
        assertEquals(retriesBefore + 1, coordinator.delegationStats().orElseThrow().retries(),
                "asked the big peer first, then the small one");
        assertTrue(millis < 4000, "answered within the deadline: " + millis + " ms");
        System.out.println("delegation: peer killed after its ack; answered by the next peer after " + millis
                + " ms; stats " + coordinator.delegationStats().orElseThrow());
        held.join();
        bigPeerLink.delayReplies(Duration.ZERO);
    }
}

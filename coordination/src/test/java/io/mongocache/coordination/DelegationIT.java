package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.gte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
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
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Reads delegated over Redis between real processes: this JVM is the saturated node (its pool for the database
 * has one connection, held by a read whose reply the proxy in front of MongoDB holds back); two peers run as
 * separate JVMs, each with its own proxied pool so the test can saturate it. The peer with more free capacity is
 * asked first, which lets a test put a peer that never answers first, and kill the big peer right after it
 * acknowledged. Nothing here is timed: each test asserts who answered (a peer, the next peer, nobody and why), and
 * every wait has a deadline that only guards against a hang.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DelegationIT {
    /**
     * Long enough that a live peer always acknowledges in time on a loaded machine: only a peer that never answers
     * (the mute one, the killed one) lets it pass.
     */
    private static final Duration ACK = Duration.ofSeconds(2);
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
                .separatePool(app.getName(), PoolOptions.builder().uri("mongodb://127.0.0.1:" + mine.port())
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

    /**
     * Holds this node's only connection to the database with a read whose reply the proxy holds, until the returned
     * handle is closed: the pool stays saturated for exactly as long as the test needs, however slow the machine.
     */
    private static Held saturateThisNode() throws InterruptedException {
        mine.holdReplies();
        CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
            try {
                pools.database(app.getName()).getCollection("orders").find().first();
            } catch (RuntimeException e) {
                // released
            }
        });
        Await.until(() -> pools.pools().isSaturated(app.getName()), Duration.ofSeconds(10), "this node's pool to "
                + "saturate");
        return new Held(read);
    }

    /** This node's pool held saturated; closing it lets the held reply through and waits for the read. */
    private record Held(CompletableFuture<Void> read) implements AutoCloseable {
        boolean released() {
            return read.isDone();
        }

        @Override
        public void close() {
            mine.releaseReplies();
            read.join();
        }
    }

    /** Every message published to {@code channel}, decoded, in the order Redis delivered them. */
    private static final class Listener implements AutoCloseable {
        final List<BsonDocument> messages = new CopyOnWriteArrayList<>();
        private final RedisTransport transport;

        Listener(String channel) {
            transport = RedisTransport.connect(io.mongocache.spi.CacheHooks.of(cache).sharedRedis().orElseThrow(),
                    Duration.ofSeconds(5));
            transport.subscribe(channel, bytes -> messages.add(new RawBsonDocument(bytes)));
        }

        long count(String type) {
            return messages.stream().filter(m -> m.getString("t").getValue().equals(type)).count();
        }

        @Override
        public void close() {
            transport.close();
        }
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

        try (Held held = saturateThisNode()) {
            List<Document> answer = coordinator.read(bigRead(), Duration.ofSeconds(30));
            assertFalse(held.released(), "the pool was still saturated while the peer answered");
            assertEquals(direct(), answer, "a delegated read equals the direct query");
            assertEquals(delegatedBefore + 1, coordinator.delegationStats().orElseThrow().delegated());
        }

        try (Held held = saturateThisNode()) {
            assertEquals(List.of(new Document("n", 500L)), coordinator.read(ReadRequest.count(app.getName(), "orders",
                    gte("n", 100L)), Duration.ofSeconds(30)));
            assertEquals(delegatedBefore + 2, coordinator.delegationStats().orElseThrow().delegated());
        }
    }

    @Test
    @Order(2)
    void shouldThrowNoPeerAvailableNamingEachRefusalWhenEveryPeerIsSaturated() throws Exception {
        bigPeerLink.holdReplies();
        smallPeerLink.holdReplies();
        try {
            bigPeer.ask("hold 8", l -> l.startsWith("HOLDING"), Duration.ofSeconds(10));
            smallPeer.ask("hold 4", l -> l.startsWith("HOLDING"), Duration.ofSeconds(10));
            long noPeerBefore = coordinator.delegationStats().orElseThrow().noPeer();
            try (Held held = saturateThisNode()) {
                // At once: the registry may still advertise room, and then each peer asked refuses. Either way the
                // read ends in the typed exception, saying why of every peer — it never waits out the deadline.
                NoPeerAvailableException first = assertThrows(NoPeerAvailableException.class,
                        () -> coordinator.read(bigRead(), Duration.ofSeconds(30)));
                assertEquals(app.getName(), first.database());
                for (String reason : first.reasons()) {
                    assertTrue(reason.endsWith(": refused (saturated)") || reason.endsWith("advertises free capacity"),
                            "every peer asked refused as saturated: " + first.reasons());
                }
                Await.until(() -> capacity("big") == 0 && capacity("small") == 0, Duration.ofSeconds(10),
                        "the registry to show both peers full");
                // Once the registry shows them full, no peer is even asked.
                NoPeerAvailableException second = assertThrows(NoPeerAvailableException.class,
                        () -> coordinator.read(bigRead(), Duration.ofSeconds(30)));
                assertEquals(0, second.attempts(), second.getMessage());
                assertEquals(List.of("no other live node advertises free capacity"), second.reasons());
                assertEquals(noPeerBefore + 2, coordinator.delegationStats().orElseThrow().noPeer());
            }
        } finally {
            bigPeerLink.releaseReplies();
            smallPeerLink.releaseReplies();
        }
        Await.until(() -> capacity("big") > 0 && capacity("small") > 0, Duration.ofSeconds(10),
                "the peers to recover");
    }

    @Test
    @Order(3)
    void shouldAskTheNextPeerWhenAPeerNeverAcknowledges() throws Exception {
        // A peer that advertises the most room and takes every request off its channel, but never answers — as a
        // node that hangs with its Redis connection open.
        String mute = "mute";
        String muteChannel = "dlg-test:" + mute + System.nanoTime();
        MongoCollection<Document> registry = TestMongo.client().getDatabase(stateDb).getCollection("nodes");
        try (Listener silent = new Listener(muteChannel)) {
            registry.insertOne(new Document("_id", mute).append("lease", "watcher").append("host", "nowhere")
                    .append("channel", muteChannel)
                    .append("capacity", new Document(app.getName(), 100))
                    .append("heartbeatAt", new Date(System.currentTimeMillis() + 3_600_000))); // alive for an hour
            Await.until(() -> capacity(mute) == 100, Duration.ofSeconds(10), "the mute peer in the registry");
            long retriesBefore = coordinator.delegationStats().orElseThrow().retries();
            try (Held held = saturateThisNode()) {
                List<Document> answer = coordinator.read(bigRead(), Duration.ofSeconds(30));
                assertEquals(direct(), answer, "answered by a peer that did acknowledge");
                assertFalse(held.released(), "while this node's pool was still saturated");
            }
            assertEquals(List.of("req"), silent.messages.stream().map(m -> m.getString("t").getValue()).toList(),
                    "the mute peer was asked first, once");
            assertEquals(retriesBefore + 1, coordinator.delegationStats().orElseThrow().retries(),
                    "after its silence the read went to the next peer");
        } finally {
            registry.deleteOne(new Document("_id", mute));
            Await.until(() -> capacity(mute) == 0, Duration.ofSeconds(10), "the mute peer to leave the registry");
        }
    }

    @Test
    @Order(4)
    void shouldAskTheNextPeerWhenAPeerDiesAfterItsAck() throws Exception {
        // The peer with more room is asked first; its query hangs on its held link after it acknowledged.
        Await.until(() -> capacity("big") > capacity("small") && capacity("small") > 0, Duration.ofSeconds(10),
                "the big peer to advertise more room than the small one");
        bigPeerLink.holdReplies();
        long retriesBefore = coordinator.delegationStats().orElseThrow().retries();
        try (Held held = saturateThisNode();
                Listener replies = new Listener(coordinator.delegation().orElseThrow().channel())) {
            CompletableFuture<List<Document>> answer = CompletableFuture.supplyAsync(
                    () -> coordinator.read(bigRead(), Duration.ofSeconds(30)));
            Await.until(() -> replies.count("ack") == 1, Duration.ofSeconds(10), "the big peer's ack");
            bigPeer.kill();
            assertEquals(direct(), answer.get(30, TimeUnit.SECONDS), "answered by the small peer");
            assertEquals(2, replies.count("ack"), "both peers acknowledged: the first one died after its ack");
            assertEquals(retriesBefore + 1, coordinator.delegationStats().orElseThrow().retries(),
                    "asked the big peer first, then the small one");
            assertFalse(held.released(), "while this node's pool was still saturated");
        } finally {
            bigPeerLink.releaseReplies();
        }
    }
}

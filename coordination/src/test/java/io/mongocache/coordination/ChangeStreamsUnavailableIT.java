package io.mongocache.coordination;

import io.mongocache.MongoCacheConfigurationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment where no change stream can open: its own in-process server without an oplog, which refuses
 * {@code $changeStream} as a standalone {@code mongod} does (the in-process server words it differently: no code).
 * What must hold: {@code start()} refuses it unless told otherwise; told otherwise, the leader says so once at WARN
 * and in status and health, never claims lost history or a flush, retries slowly, and hands the lease to another
 * node once rather than bouncing it.
 */
class ChangeStreamsUnavailableIT {
    private static final LeaseSettings LEASE =
            new LeaseSettings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300));

    private MongoServerHandle server;
    private MongoClient client;
    private MongoDatabase app;
    private final List<MongoCache> caches = new ArrayList<>();
    private final List<Coordinator> coordinators = new ArrayList<>();
    private final List<ChangeStreamWatcher> watchers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = TestMongo.startInProcessWithoutOplog();
        client = server.newClient();
        app = client.getDatabase("shop");
        app.getCollection("products").insertOne(new Document("_id", 1).append("v", 0));
    }

    @AfterEach
    void tearDown() {
        watchers.forEach(ChangeStreamWatcher::stop);
        coordinators.forEach(Coordinator::close);
        caches.forEach(MongoCache::close);
        client.close();
        server.close();
    }

    private MongoCache cache() {
        MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("nostreams" + System.nanoTime())
                .build();
        caches.add(cache);
        return cache;
    }

    private Coordinator.Builder builder(String node) {
        return Coordinator.builder().client(client).cache(cache()).nodeId(node).lease(LEASE)
                .heartbeatInterval(Duration.ofMillis(200)).watch(WatchScope.collections("shop.products"));
    }

    private Coordinator started(Coordinator.Builder builder) {
        Coordinator coordinator = builder.start();
        coordinators.add(coordinator);
        return coordinator;
    }

    @Test
    void shouldRefuseToStartWhereNoChangeStreamCanOpen() {
        MongoCacheConfigurationException refused = assertThrows(MongoCacheConfigurationException.class, () -> started(builder("a")));
        String message = refused.getMessage();
        assertTrue(message.contains("a change stream cannot open on this deployment"), message);
        assertTrue(message.contains("Unknown error: null"), "the server's own reason: " + message);
        assertTrue(message.contains("need a replica set or a sharded cluster"), message);
        assertTrue(message.contains("requireChangeStreams(false)"), "how to start anyway: " + message);
        assertEquals(0, client.getDatabase("mongocache").getCollection("nodes").countDocuments(),
                "a refused node never registered");
    }

    @Test
    void shouldReportCannotOpenOnceAndNeverClaimLostHistoryOrAFlush() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(new Tee(original, log), true, StandardCharsets.UTF_8));
        Coordinator node;
        try {
            node = started(builder("a").requireChangeStreams(false));
            Await.until(() -> node.isLeader() && node.status().cannotOpen() >= 3, Duration.ofSeconds(20),
                    "the leader to be refused three opens");
        } finally {
            System.setErr(original);
        }
        Coordinator.Status status = node.status();
        assertEquals(0, status.historyLost(), "nothing lost its history: " + status);
        assertEquals(0, status.flushes(), "no stream opened, so nothing was flushed: " + status);
        assertEquals(0, status.streamsOpen(), status.toString());
        assertEquals("-1: Unknown error: null", status.cannotOpenReason(), status.toString());
        Coordinator.Health health = node.health();
        assertFalse(health.healthy(), health.toString());
        assertTrue(health.problems().stream().anyMatch(p -> p.contains("a change stream cannot open on "
                + "shop.products (-1: Unknown error: null)")), health.toString());
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> warnings = lines.stream().filter(l -> l.contains("WARN") && l.contains("cannot open")).toList();
        assertEquals(1, warnings.size(), "said once at WARN: " + warnings);
        assertTrue(warnings.get(0).contains("Unknown error: null"), warnings.get(0));
        assertTrue(lines.stream().noneMatch(l -> l.contains("lost its history") || l.contains("flushing")),
                "no line claims lost history or a flush: " + lines);
        assertEquals(0, status.stepDowns(), "alone, it has nobody to hand over to");
    }

    @Test
    void shouldRetryOpensSlowlyWhileNoChangeStreamCanOpen() throws Exception {
        Lease lease = new LeaseStore(app.getCollection("leases")).tryAcquire("watcher", "leader",
                Duration.ofSeconds(60)).orElseThrow();
        ChangeStreamWatcher watcher = new ChangeStreamWatcher(client, app.getCollection("products").getNamespace(),
                cache(), app.getCollection("checkpoints"));
        watchers.add(watcher);
        // The steps one by one, each returning the pause before the next: the back-off itself, not a count of
        // opens in a window of wall-clock time.
        watcher.prepare(lease, null);
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pauses.add(watcher.stepSafely());
        }
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L), pauses,
                "a server that cannot open streams is retried 1 s doubling to 30 s, not as a transient error");
        assertEquals(8, watcher.opens(), "every step tried to open, and kept trying");
        assertEquals(8, watcher.cannotOpen());
        assertEquals(0, watcher.historyLost(), "nothing lost its history");
        assertEquals(0, watcher.flushes(), "no stream opened, so nothing was flushed");
        assertNotNull(watcher.cannotOpenReason());
        watcher.finish(); // no thread ran the steps: end it here, as the thread would have
    }

    @Test
    void shouldHandTheLeaseOverOnceWhenItsStreamCannotOpenThenKeepRetrying() throws Exception {
        Coordinator a = started(builder("a").requireChangeStreams(false));
        Coordinator b = started(builder("b").requireChangeStreams(false));
        // The first leader hands over to the other node (it may be able to open streams), which hands back once.
        Await.until(() -> a.status().stepDowns() == 1 && b.status().stepDowns() == 1, Duration.ofSeconds(30),
                "each node to hand over once");
        Await.until(() -> (a.isLeader() || b.isLeader()), Duration.ofSeconds(10), "a leader again");
        Coordinator leader = a.isLeader() ? a : b;
        long refused = leader.status().cannotOpen();
        Await.until(() -> leader.status().cannotOpen() >= refused + 2, Duration.ofSeconds(20),
                "the leader to keep retrying");
        assertTrue(leader.isLeader(), "it leads on instead of bouncing the lease");
        assertEquals(2, a.status().stepDowns() + b.status().stepDowns(), "one hand-over per node, no more");
        assertTrue(leader.status().lastStepDown().contains("a change stream cannot open"),
                leader.status().lastStepDown());
    }

    /** Writes to the console and to a buffer. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final OutputStream copy;

        Tee(OutputStream console, OutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            console.write(b);
            copy.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            console.write(b, off, len);
            copy.write(b, off, len);
        }
    }
}

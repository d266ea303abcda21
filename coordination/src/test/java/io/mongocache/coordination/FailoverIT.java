package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader failure with nodes as separate JVMs: SIGKILL of the leader (once, and ten times in a row) and SIGSTOP until
 * another node has taken over, while an outside program keeps writing. Afterwards every node's cache (L1, and L2 on
 * its own) must agree with MongoDB for every key: an event missed during a failover would leave a stale entry behind
 * for the entry's whole TTL (5 minutes), so it cannot pass by waiting. Who leads and under which epoch is asserted;
 * how long a failover takes is FailoverHarness's figure.
 */
class FailoverIT {
    private static final int KEYS = 40;
    private static final Duration LEASE = Duration.ofMillis(3000);
    private static final Duration RETRY = Duration.ofMillis(500);

    private MongoDatabase app;
    private MongoDatabase state;
    private MongoCollection<Document> outside;
    private String prefix;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private int started;

    @BeforeEach
    void setUp() {
        app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("app"));
        state = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state"));
        outside = app.getCollection("c");
        for (int id = 0; id < KEYS; id++) {
            outside.insertOne(new Document("_id", id).append("v", 0L));
        }
        prefix = "fo" + System.nanoTime();
    }

    @AfterEach
    void tearDown() {
        for (NodeProcess node : nodes) {
            node.close();
        }
        app.drop();
        state.drop();
    }

    private NodeProcess startNode(String lease) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("mongo", TestMongo.connectionString());
        args.put("redis", TestRedis.uri());
        args.put("prefix", prefix);
        args.put("state", state.getName());
        args.put("lease", lease);
        args.put("collections", app.getName() + ".c");
        NodeProcess node = NodeProcess.start("n" + (++started), args);
        nodes.add(node);
        return node;
    }

    private static String lease(Duration duration, Duration deadline, Duration retry) {
        return duration.toMillis() + "," + deadline.toMillis() + "," + retry.toMillis();
    }

    /** The node whose latest leadership line is LEADER, waiting for one. */
    private NodeProcess awaitLeader(Duration timeout, NodeProcess... except) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (NodeProcess node : nodes) {
                if (node.isAlive() && leading(node) && !List.of(except).contains(node)) {
                    return node;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no leader within " + timeout);
    }

    private static boolean leading(NodeProcess node) {
        String last = null;
        for (NodeProcess.Line line : node.lines()) {
            if (line.text().startsWith("LEADER") || line.text().startsWith("FOLLOWER")) {
                last = line.text();
            }
        }
        return last != null && last.startsWith("LEADER");
    }

    private static long epochOf(NodeProcess node) {
        long epoch = 0;
        for (NodeProcess.Line line : node.lines()) {
            if (line.text().startsWith("LEADER")) {
                epoch = Long.parseLong(line.text().substring(7).trim());
            }
        }
        return epoch;
    }

    private static long checkpointEpoch(MongoCollection<Document> checkpoints, String checkpointId) {
        Document checkpoint = checkpoints.find(eq("_id", checkpointId)).first();
        return checkpoint == null ? 0 : checkpoint.get("epoch", Number.class).longValue();
    }

    private static void awaitStreamOpen(NodeProcess node) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!node.ask("status", l -> l.startsWith("STATUS"), Duration.ofSeconds(10)).text().contains("open=1")) {
            if (System.nanoTime() > end) {
                throw new AssertionError(node.name() + ": the watcher's stream did not open");
            }
            Thread.sleep(20);
        }
    }

    /** An outside program updating random keys at a steady rate until stopped. */
    private final class Writer implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong writes = new AtomicLong();
        final Thread thread = new Thread(() -> {
            while (running.get()) {
                outside.updateOne(eq("_id", ThreadLocalRandom.current().nextInt(KEYS)),
                        Updates.set("v", writes.incrementAndGet()));
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "outside-writer");

        Writer() {
            thread.start();
        }

        /** Waits until {@code n} more outside writes were made (about 5 ms each). */
        void awaitMore(int n) throws InterruptedException {
            long target = writes.get() + n;
            Await.until(() -> writes.get() >= target, Duration.ofSeconds(10), n + " more outside writes");
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Readers keep every live node's cache full of entries a missed event would leave stale. */
    private void warmAll() throws Exception {
        for (NodeProcess node : nodes) {
            if (node.isAlive()) {
                node.ask("warm " + app.getName() + " c " + KEYS, l -> l.startsWith("WARMED"), Duration.ofSeconds(20));
            }
        }
    }

    /** Every live node, and a Redis-only reader (L2), agree with MongoDB for every key. */
    private void assertEveryCacheAgrees() throws Exception {
        for (NodeProcess node : nodes) {
            if (node.isAlive()) {
                String verdict = "";
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                // A new leader may still be replaying events after the last write; a missed one never heals.
                while (System.nanoTime() < end) {
                    verdict = node.ask("verify " + app.getName() + " c " + KEYS, l -> l.startsWith("VERIFY"),
                            Duration.ofSeconds(20)).text();
                    if (verdict.startsWith("VERIFY ok")) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertTrue(verdict.startsWith("VERIFY ok"), node.name() + ": " + verdict);
            }
        }
        try (MongoCache l2Only = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).maxLocalBytes(0)
                .build()) {
            CachedCollection<Document> cached = l2Only.wrap(outside);
            List<String> bad = new ArrayList<>();
            for (int id = 0; id < KEYS; id++) {
                Document expected = outside.find(eq("_id", id)).first();
                Document actual = cached.find(eq("_id", id)).first();
                if (!Objects.equals(expected, actual)) {
                    bad.add("id=" + id + " L2=" + actual + " mongo=" + expected);
                }
            }
            assertEquals(List.of(), bad, "Redis (L2) disagrees with MongoDB");
        }
    }

    @Test
    void shouldElectANewLeaderUnderANewerEpochAndMissNoOutsideWriteWhenTheLeaderIsKilled() throws Exception {
        // How long the takeover takes is FailoverHarness's figure (kill → new leader, kill → survivor serves a new
        // outside write); here only who leads, under which epoch, and that no write was missed.
        String lease = lease(LEASE, Duration.ofMillis(2000), RETRY);
        for (int i = 0; i < 3; i++) {
            startNode(lease);
        }
        NodeProcess leader = awaitLeader(Duration.ofSeconds(10));
        awaitStreamOpen(leader);
        long killedEpoch = epochOf(leader);
        warmAll();
        try (Writer writer = new Writer()) {
            writer.awaitMore(50);
            warmAll();
            leader.kill();
            NodeProcess next = awaitLeader(Duration.ofSeconds(60));
            assertNotEquals(leader, next);
            assertTrue(epochOf(next) > killedEpoch, "the new leader's epoch " + epochOf(next) + " follows "
                    + killedEpoch);
            // Reads during and after the failover fill the caches with entries the replay must invalidate.
            for (int i = 0; i < 5; i++) {
                warmAll();
                writer.awaitMore(20);
            }
            assertTrue(writer.writes.get() > 50, "outside writes made: " + writer.writes.get());
        }
        assertEveryCacheAgrees();
    }

    @Test
    void shouldKeepEveryNodeCurrentThroughTenLeaderKills() throws Exception {
        String lease = lease(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(250));
        for (int i = 0; i < 3; i++) {
            startNode(lease);
        }
        List<Long> epochs = new ArrayList<>();
        try (Writer writer = new Writer()) {
            for (int kill = 0; kill < 10; kill++) {
                NodeProcess leader = awaitLeader(Duration.ofSeconds(60));
                awaitStreamOpen(leader);
                epochs.add(epochOf(leader));
                warmAll();
                leader.kill();
                nodes.remove(leader);
                NodeProcess replacement = startNode(lease);
                NodeProcess next = awaitLeader(Duration.ofSeconds(60));
                assertNotEquals(leader, next);
                assertTrue(epochOf(next) > epochs.get(epochs.size() - 1), "kill " + kill + ": the new leader's "
                        + "epoch " + epochOf(next) + " follows " + epochs);
                assertTrue(replacement.isAlive());
            }
            warmAll();
            writer.awaitMore(50);
            System.out.println("10 kills: " + writer.writes.get() + " outside writes; leaders' epochs " + epochs);
        }
        assertEveryCacheAgrees();
    }

    @Test
    void shouldFenceOffAPausedLeaderOnceAnotherNodeTookOver() throws Exception {
        String lease = lease(LEASE, Duration.ofMillis(2000), RETRY);
        startNode(lease);
        startNode(lease);
        NodeProcess paused = awaitLeader(Duration.ofSeconds(10));
        awaitStreamOpen(paused);
        long pausedEpoch = epochOf(paused);
        MongoCollection<Document> checkpoints = state.getCollection("checkpoints");
        String checkpointId = ChangeStreamWatcher.checkpointId("watcher", app.getName() + ".c");
        List<String> backwards = new CopyOnWriteArrayList<>();
        List<Long> epochsSeen = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread monitor = new Thread(() -> {
            long lastEpoch = 0;
            BsonTimestamp lastTime = null;
            while (watching.get()) {
                Document c = checkpoints.find(eq("_id", checkpointId)).first();
                if (c != null) {
                    long epoch = c.get("epoch", Number.class).longValue();
                    BsonTimestamp time = c.get("clusterTime", BsonTimestamp.class);
                    if (epoch < lastEpoch || (time != null && lastTime != null && time.compareTo(lastTime) < 0)) {
                        backwards.add("epoch " + lastEpoch + "→" + epoch + ", time " + lastTime + "→" + time);
                    }
                    if (epochsSeen.isEmpty() || epochsSeen.get(epochsSeen.size() - 1) != epoch) {
                        epochsSeen.add(epoch);
                    }
                    lastEpoch = Math.max(lastEpoch, epoch);
                    lastTime = time == null || (lastTime != null && time.compareTo(lastTime) < 0) ? lastTime : time;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "checkpoint-monitor");
        monitor.start();
        try (Writer writer = new Writer()) {
            warmAll();
            paused.pause();
            int mark = paused.mark();
            NodeProcess next = awaitLeader(Duration.ofSeconds(60), paused);
            awaitStreamOpen(next);
            // The paused leader comes back only once the new one has claimed the checkpoint and carried it on.
            Await.until(() -> checkpointEpoch(checkpoints, checkpointId) > pausedEpoch, Duration.ofSeconds(30),
                    "the new leader's claim of the checkpoint");
            writer.awaitMore(50);
            paused.resume();
            paused.awaitFrom(mark, l -> l.equals("FOLLOWER " + pausedEpoch), Duration.ofSeconds(10));
            // The paused node's epoch can no longer checkpoint: the newer leader claimed the record.
            long matched = checkpoints.updateOne(eq("_id", checkpointId).toBsonDocument().append("epoch",
                    new org.bson.BsonInt64(pausedEpoch)), Updates.set("probe", true)).getMatchedCount();
            assertEquals(0, matched, "a write under the paused leader's epoch must match nothing");
            warmAll();
            writer.awaitMore(50);
            assertTrue(writer.writes.get() > 0, "outside writes went on during the pause");
        } finally {
            watching.set(false);
            monitor.join();
        }
        assertEquals(List.of(), backwards, "the checkpoint moved backwards");
        assertTrue(epochsSeen.get(epochsSeen.size() - 1) > pausedEpoch, "checkpoint epochs: " + epochsSeen);
        assertNull(checkpoints.find(eq("_id", checkpointId)).first().get("probe"));
        System.out.println("pause: checkpoint epochs " + epochsSeen + ", never backwards; old leader stepped down");
        assertEveryCacheAgrees();
    }
}

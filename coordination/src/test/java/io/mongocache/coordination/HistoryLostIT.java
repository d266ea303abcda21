package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lost change-stream history (error 286: the resume token fell off the oplog). Neither real MongoDB nor the
 * in-process server can be made to lose history quickly and on cue, so a fault hook fails the open of a stream
 * that resumes from a token the test declared dead, with exactly the server's error. What must hold: one flush of
 * the scope per dead token, the dead token never tried again, a back-off (10 ms doubling to 2 s, read from the
 * watcher's steps) while opens keep failing, and a write made while no stream was open still reaches every node.
 */
class HistoryLostIT {
    private MongoDatabase db;
    private MongoCollection<Document> outside;
    private MongoCache leaderNode;
    private MongoCache otherNode;
    private ChangeStreamWatcher watcher;
    private Lease lease;
    private final List<BsonDocument> opened = Collections.synchronizedList(new ArrayList<>());
    private final Set<BsonDocument> dead = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean failEveryOpen = new AtomicBoolean();

    @BeforeEach
    void setUp() throws Exception {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("lost"));
        outside = db.getCollection("c");
        outside.insertOne(new Document("_id", 1).append("v", 0));
        String prefix = "lost" + System.nanoTime();
        leaderNode = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        otherNode = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        lease = new LeaseStore(db.getCollection("leases")).tryAcquire("watcher", "leader", Duration.ofSeconds(30))
                .orElseThrow();
        watcher = new ChangeStreamWatcher(TestMongo.client(), outside.getNamespace(), leaderNode,
                db.getCollection("checkpoints"));
        watcher.beforeOpen(token -> {
            opened.add(token == null ? new BsonDocument("fresh", new BsonInt32(1)) : token);
            if (failEveryOpen.get() || (token != null && dead.contains(token))) {
                throw new MongoCommandException(new BsonDocument("ok", new BsonInt32(0))
                        .append("code", new BsonInt32(286)).append("codeName", new BsonString("ChangeStreamHistoryLost"))
                        .append("errmsg", new BsonString("Resume of change stream was not possible (test fault)")),
                        new ServerAddress());
            }
        });
        watcher.start(lease);
        Await.until(watcher::isWatching, Duration.ofSeconds(10), "the stream to open");
    }

    @AfterEach
    void tearDown() {
        watcher.stop();
        leaderNode.close();
        otherNode.close();
        db.drop();
    }

    private BsonDocument storedToken() {
        Document checkpoint = db.getCollection("checkpoints").find(eq("_id", ChangeStreamWatcher.checkpointId(
                lease.name(), outside.getNamespace().getFullName()))).first();
        Document token = checkpoint == null ? null : checkpoint.get("token", Document.class);
        return token == null ? null : token.toBsonDocument();
    }

    private void awaitValue(int expected) throws InterruptedException {
        CachedCollection<Document> other = otherNode.wrap(outside);
        Await.until(() -> other.find(eq("_id", 1)).first().getInteger("v") == expected, Duration.ofSeconds(10),
                "v=" + expected + " on the other node");
    }

    @Test
    void shouldFlushOncePerLostTokenAndNeverRetryIt() throws Exception {
        CachedCollection<Document> other = otherNode.wrap(outside);
        long flushesBefore = watcher.flushes();
        for (int round = 1; round <= 3; round++) {
            outside.updateOne(eq("_id", 1), set("v", round * 10));
            awaitValue(round * 10);
            Await.until(() -> storedToken() != null, Duration.ofSeconds(5), "a checkpoint");
            // The next open resumes from the stored token (a restart, as after a leader change): declare it dead.
            watcher.stop();
            BsonDocument token = storedToken();
            dead.add(token);
            assertEquals(round * 10, other.find(eq("_id", 1)).first().getInteger("v")); // cached on the other node
            outside.updateOne(eq("_id", 1), set("v", round * 10 + 1)); // made while no stream is open
            watcher.start(lease);
            Await.until(watcher::isWatching, Duration.ofSeconds(10), "the fresh stream");
            awaitValue(round * 10 + 1); // only the flush can tell the other node
            long triesOfDeadToken = opened.stream().filter(t -> t.equals(token)).count();
            assertEquals(1, triesOfDeadToken, "the dead token was opened " + triesOfDeadToken + " times");
            assertEquals(round, watcher.flushes() - flushesBefore, "one flush per lost token");
            assertTrue(!Objects.equals(storedToken(), token), "the dead token was dropped from the checkpoint");
        }
        assertEquals(3, watcher.historyLost());
    }

    @Test
    void shouldBackOffWhileEveryOpenFailsThenFlushOnce() throws Exception {
        outside.updateOne(eq("_id", 1), set("v", 5));
        awaitValue(5);
        Await.until(() -> storedToken() != null, Duration.ofSeconds(5), "a checkpointed token");
        watcher.stop();
        BsonDocument before = storedToken();
        failEveryOpen.set(true);
        int opensBefore = opened.size();
        long flushesBefore = watcher.flushes();
        outside.updateOne(eq("_id", 1), set("v", 99));
        // The steps one by one, each returning the pause before the next: the back-off itself, not a count of
        // opens in a window of wall-clock time.
        watcher.prepare(lease, null);
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pauses.add(watcher.stepSafely());
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 2000L, 2000L), pauses,
                "failing opens are retried 10 ms doubling to 2 s");
        assertEquals(10, opened.size() - opensBefore, "every step tried to open");
        assertEquals(1, opened.subList(opensBefore, opened.size()).stream().filter(t -> t.equals(before)).count(),
                "the lost token is tried once");
        assertEquals(0, watcher.flushes() - flushesBefore, "nothing is flushed while no stream is open");
        failEveryOpen.set(false);
        watcher.stepSafely();
        assertTrue(watcher.isWatching(), "the stream opened fresh");
        assertEquals(1, watcher.flushes() - flushesBefore, "one flush for the one lost token");
        awaitValue(99); // made while no stream was open: only the flush can tell the other node
        watcher.finish(); // no thread ran the steps: end it here, as the thread would have
    }
}

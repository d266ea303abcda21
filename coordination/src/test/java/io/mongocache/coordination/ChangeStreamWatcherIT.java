package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes made outside the library reach every node's cache through the leader's watcher; a watcher whose epoch
 * was superseded is fenced off by its checkpoint. (Leader death, SIGSTOP and history loss with separate JVMs are
 * the next step.)
 */
class ChangeStreamWatcherIT {
    private MongoDatabase db;
    private MongoCollection<Document> outside;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("watch"));
        outside = db.getCollection("c");
        outside.insertOne(new Document("_id", 1).append("v", 0));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }


    @Test
    void shouldInvalidateEveryNodeForWritesMadeOutsideTheLibrary() throws Exception {
        String prefix = "watch" + System.nanoTime();
        try (MongoCache leaderNode = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
                MongoCache otherNode = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build()) {
            LeaseStore leases = new LeaseStore(db.getCollection("leases"));
            Lease lease = leases.tryAcquire("watcher", "leader", Duration.ofSeconds(15)).orElseThrow();
            ChangeStreamWatcher watcher = new ChangeStreamWatcher(TestMongo.client(), outside.getNamespace(),
                    leaderNode, db.getCollection("checkpoints"));
            watcher.start(lease);
            Await.until(watcher::isWatching, Duration.ofSeconds(10), "the watcher's stream to open");
            try {
                CachedCollection<Document> onLeader = leaderNode.wrap(outside);
                CachedCollection<Document> onOther = otherNode.wrap(outside);
                leaderNode.awaitInvalidations(Duration.ofSeconds(5));
                otherNode.awaitInvalidations(Duration.ofSeconds(5));
                for (int round = 1; round <= 20; round++) {
                    assertEquals(round - 1, onLeader.find(eq("_id", 1)).first().getInteger("v"));
                    assertEquals(round - 1, onOther.find(eq("_id", 1)).first().getInteger("v"));
                    outside.updateOne(eq("_id", 1), set("v", round)); // not through the cache
                    int expected = round;
                    Await.until(() -> onLeader.find(eq("_id", 1)).first().getInteger("v") == expected,
                            Duration.ofSeconds(10), "the leader node");
                    Await.until(() -> onOther.find(eq("_id", 1)).first().getInteger("v") == expected,
                            Duration.ofSeconds(10), "the other node");
                }
                outside.insertOne(new Document("_id", 2).append("v", 7));
                Await.until(() -> onOther.countDocuments() == 2, Duration.ofSeconds(10), "an outside insert");
                outside.deleteOne(eq("_id", 2));
                Await.until(() -> onOther.countDocuments() == 1, Duration.ofSeconds(10), "an outside delete");
                // A count read may load fresh data before the watcher processed the event (the read then simply
                // was not cached); the watcher still sees every event, in order.
                Await.until(() -> watcher.eventsSeen() >= 22, Duration.ofSeconds(10),
                        "all 22 events (seen: " + watcher.eventsSeen() + ")");
                assertTrue(watcher.eventsSeen() >= 22);
                System.out.println("watcher: " + watcher.eventsSeen() + " outside writes invalidated on 2 nodes");
            } finally {
                watcher.stop();
            }
        }
    }

    @Test
    void shouldFenceOffAWatcherWhoseEpochWasSuperseded() throws Exception {
        try (MongoCache cache = MongoCache.builder().build()) {
            MongoCollection<Document> checkpoints = db.getCollection("checkpoints");
            ChangeStreamWatcher old = new ChangeStreamWatcher(TestMongo.client(), outside.getNamespace(), cache,
                    checkpoints);
            ChangeStreamWatcher current = new ChangeStreamWatcher(TestMongo.client(), outside.getNamespace(), cache,
                    checkpoints);
            old.start(new Lease("watcher", "a", 1));
            Await.until(old::isWatching, Duration.ofSeconds(10), "epoch 1's stream");
            current.start(new Lease("watcher", "b", 2));
            Await.until(current::isWatching, Duration.ofSeconds(10), "epoch 2's stream");
            assertEquals(1, checkpoints.countDocuments(eq("epoch", 2L)), "epoch 2 claimed the checkpoint");
            outside.updateOne(eq("_id", 1), set("v", 1)); // both see it; only epoch 2 may checkpoint it
            Await.until(old::fencedOff, Duration.ofSeconds(10), "the old watcher to be refused");
            assertEquals(1, checkpoints.countDocuments(eq("epoch", 2L)), "the checkpoint belongs to epoch 2");
            old.stop();
            current.stop();
        }
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * The leader loses Redis while the other nodes keep it (and keep trusting their local tiers). Its watcher sees the
 * outside write but cannot tell anyone: it must not checkpoint the event, and after {@code renewDeadline} it hands
 * the lease over, so a node that reaches Redis replays the event from the last checkpoint. Without both, the other
 * nodes would serve the old value for the entry's whole TTL.
 */
class LeaderCutOffFromRedisIT {
    private static final LeaseSettings LEASE =
            new LeaseSettings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(250));

    @Test
    void shouldHandTheWatcherToANodeThatCanReachRedis() throws Exception {
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("cut"));
        String state = TestMongo.uniqueDatabaseName("state");
        MongoCollection<Document> outside = app.getCollection("c");
        outside.insertOne(new Document("_id", 1).append("v", 0));
        String prefix = "cut" + System.nanoTime();
        try (RedisServer redis = RedisServer.start(); TcpProxy leaderLink = TcpProxy.raw(redis.port());
                MongoCache leaderCache = MongoCache.builder().redis("redis://127.0.0.1:" + leaderLink.port())
                        .keyPrefix(prefix).redisTimeout(Duration.ofMillis(200)).build();
                MongoCache otherCache = MongoCache.builder().redis(redis.uri()).keyPrefix(prefix).build()) {
            Coordinator first = Coordinator.builder().client(TestMongo.client()).cache(leaderCache)
                    .stateDatabase(state).nodeId("cut-off").lease(LEASE)
                    .watch(WatchScope.collections(outside.getNamespace().getFullName())).start();
            Coordinator second = null;
            try {
                Await.until(() -> first.status().streamsOpen() == 1, Duration.ofSeconds(5), "the first leader");
                second = Coordinator.builder().client(TestMongo.client()).cache(otherCache).stateDatabase(state)
                        .nodeId("connected").lease(LEASE)
                        .watch(WatchScope.collections(outside.getNamespace().getFullName())).start();
                CachedCollection<Document> onOther = otherCache.wrap(outside);
                assertEquals(0, onOther.find(eq("_id", 1)).first().getInteger("v"));
                assertEquals(0, onOther.find(eq("_id", 1)).first().getInteger("v")); // in its local tier

                leaderLink.close(); // the leader alone loses Redis
                outside.updateOne(eq("_id", 1), set("v", 1));
                long written = System.nanoTime();
                Coordinator other = second;
                Await.until(() -> onOther.find(eq("_id", 1)).first().getInteger("v") == 1, Duration.ofSeconds(10),
                        "the connected node to serve the outside write");
                long millis = (System.nanoTime() - written) / 1_000_000;
                assertFalse(first.isLeader(), "the cut-off leader resigned");
                assertTrue(other.isLeader(), "the connected node took over");
                System.out.println("cut-off leader: handed over; the write reached the connected node after "
                        + millis + " ms (renewDeadline " + LEASE.renewDeadline().toMillis() + " ms)");
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
                app.drop();
                TestMongo.client().getDatabase(state).drop();
            }
        }
    }
}

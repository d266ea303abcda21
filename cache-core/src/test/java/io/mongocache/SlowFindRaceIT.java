package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Promise 4 end to end: node A's {@code find} is answered by MongoDB and its reply held by a TCP proxy; while it is
 * held, node B writes the same document. A's load then carries the pre-write value and tries to install
 * it in L1 and Redis. After B's write returned (and A has applied the invalidations published before that), no
 * read on either node, from either tier, may return the pre-write value — 1,000 times.
 */
class SlowFindRaceIT {
    private static final int ROUNDS = 1_000;

    @Test
    void shouldNeverServeALoadThatRacedAWrite() throws Exception {
        int port = TestMongo.port();
        String dbName = TestMongo.uniqueDatabaseName("race");
        try (TcpProxy slow = TcpProxy.raw(port);
                // No periodic monitoring through the proxy: every reply it holds is A's.
                MongoClient slowClient = MongoClients.create("mongodb://127.0.0.1:" + slow.port()
                        + "/?directConnection=true&serverMonitoringMode=poll&heartbeatFrequencyMS=3600000");
                MongoCache a = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("race").build();
                MongoCache b = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("race").build()) {
            MongoDatabase direct = TestMongo.client().getDatabase(dbName);
            MongoCollection<Document> raw = direct.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", 0));
            CachedCollection<Document> onA = a.wrap(slowClient.getDatabase(dbName).getCollection("c"));
            CachedCollection<Document> onB = b.wrap(raw);
            a.awaitInvalidations(Duration.ofSeconds(5));
            b.awaitInvalidations(Duration.ofSeconds(5));
            slowClient.getDatabase(dbName).runCommand(new Document("ping", 1)); // A's connection, opened
            int racedLoads = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                // Make A's next read a miss in both tiers.
                a.invalidate(raw.getNamespace());
                slow.holdReplies();
                long received = slow.receivedReplies();
                CompletableFuture<Integer> slowRead = CompletableFuture.supplyAsync(
                        () -> onA.find(eq("_id", 1)).first().getInteger("v"));
                // MongoDB has answered A's query with the old value; the answer waits in the proxy while B writes.
                Await.until(() -> slow.receivedReplies() > received, Duration.ofSeconds(10), "A's query answered");
                onB.updateOne(eq("_id", 1), set("v", round));
                slow.releaseReplies();
                int seenBySlowRead = slowRead.get();
                if (seenBySlowRead == round - 1) {
                    racedLoads++;
                }
                assertTrue(a.awaitInvalidations(Duration.ofSeconds(5)), "node A did not become current");
                for (int i = 0; i < 2; i++) {
                    assertEquals(round, onA.find(eq("_id", 1)).first().getInteger("v"), "round " + round + " on A");
                    assertEquals(round, onB.find(eq("_id", 1)).first().getInteger("v"), "round " + round + " on B");
                }
            }
            System.out.printf("slow-find race: %d rounds, %d loads carried the pre-write value, 0 served after"
                    + " the write%n", ROUNDS, racedLoads);
            assertEquals(ROUNDS, racedLoads, "every round's load carried the pre-write value");
            direct.drop();
        }
    }
}

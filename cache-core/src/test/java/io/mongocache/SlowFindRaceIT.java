package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Promise 4 end to end: node A's {@code find} is made slow by a TCP proxy that delays MongoDB's replies; while its
 * reply is held, node B writes the same document. A's load then carries the pre-write value and tries to install
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
                MongoClient slowClient = MongoClients.create("mongodb://127.0.0.1:" + slow.port()
                        + "/?directConnection=true");
                MongoCache a = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("race").build();
                MongoCache b = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("race").build()) {
            MongoDatabase direct = TestMongo.client().getDatabase(dbName);
            MongoCollection<Document> raw = direct.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", 0));
            CachedCollection<Document> onA = a.wrap(slowClient.getDatabase(dbName).getCollection("c"));
            CachedCollection<Document> onB = b.wrap(raw);
            a.awaitInvalidations(Duration.ofSeconds(5));
            b.awaitInvalidations(Duration.ofSeconds(5));
            int racedLoads = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                // Make A's next read a miss in both tiers.
                a.invalidate(raw.getNamespace());
                slow.delayReplies(Duration.ofMillis(20));
                long forwarded = slow.forwardedRequests();
                CompletableFuture<Integer> slowRead = CompletableFuture.supplyAsync(
                        () -> onA.find(eq("_id", 1)).first().getInteger("v"));
                // Once A's query has reached MongoDB it is answered at once with the old value; the reply waits.
                while (slow.forwardedRequests() == forwarded) {
                    Thread.onSpinWait();
                }
                Thread.sleep(1);
                onB.updateOne(eq("_id", 1), set("v", round));
                int seenBySlowRead = slowRead.get();
                slow.delayReplies(Duration.ZERO);
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
            assertTrue(racedLoads > ROUNDS / 10, "the race must actually happen: " + racedLoads);
            direct.drop();
        }
    }
}

package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lease acquisition in MongoDB: one atomic findOneAndUpdate, duplicate key as "held elsewhere". */
class LeaseStoreIT {
    private MongoDatabase db;
    private LeaseStore store;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("lease"));
        store = new LeaseStore(db.getCollection("leases"));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }

    @Test
    void shouldElectExactlyOneOfTenSimultaneousContendersEveryRound() throws Exception {
        int contenders = 10;
        int rounds = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CyclicBarrier start = new CyclicBarrier(contenders);
        try {
            long previousEpoch = 0;
            Lease previous = null;
            for (int round = 0; round < rounds; round++) {
                if (previous != null) {
                    assertTrue(store.release(previous), "the winner releases");
                }
                List<Future<Optional<Lease>>> attempts = new ArrayList<>();
                for (int c = 0; c < contenders; c++) {
                    String node = "node-" + c;
                    attempts.add(pool.submit(() -> {
                        start.await();
                        return store.tryAcquire("watcher", node, Duration.ofSeconds(15));
                    }));
                }
                List<Lease> winners = new ArrayList<>();
                for (Future<Optional<Lease>> attempt : attempts) {
                    attempt.get().ifPresent(winners::add);
                }
                assertEquals(1, winners.size(), "round " + round + ": winners " + winners);
                Lease winner = winners.get(0);
                assertEquals(previousEpoch + 1, winner.epoch(), "round " + round + ": the epoch rises by one");
                previousEpoch = winner.epoch();
                previous = winner;
            }
            System.out.printf("lease: %d rounds of %d simultaneous contenders, exactly one winner each, epoch %d%n",
                    rounds, contenders, previousEpoch);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRenewOnlyTheCurrentHolderAndEpoch() {
        Lease first = store.tryAcquire("w", "a", Duration.ofSeconds(15)).orElseThrow();
        assertTrue(store.tryAcquire("w", "b", Duration.ofSeconds(15)).isEmpty(), "held elsewhere");
        assertTrue(store.renew(first));
        assertEquals(first.epoch(), store.read("w").orElseThrow().get("epoch", Number.class).longValue(),
                "a renewal never changes the epoch");
        assertTrue(store.release(first));
        Lease second = store.tryAcquire("w", "b", Duration.ofSeconds(15)).orElseThrow();
        assertEquals(first.epoch() + 1, second.epoch());
        assertFalse(store.renew(first), "the old holder's renewal is refused (stale epoch)");
        assertFalse(store.release(first), "and so is its release");
        assertTrue(store.renew(second));
    }

    @Test
    void shouldLetAnExpiredLeaseBeTakenOverByServerTime() throws InterruptedException {
        Lease first = store.tryAcquire("w", "a", Duration.ofSeconds(1)).orElseThrow();
        assertTrue(store.tryAcquire("w", "b", Duration.ofSeconds(1)).isEmpty(), "held by a, not expired yet");
        // Only the server's clock lets it go: b keeps trying, as an elector would, until it may take it.
        List<Lease> taken = new ArrayList<>();
        Await.until(() -> store.tryAcquire("w", "b", Duration.ofSeconds(1)).map(taken::add).orElse(false),
                Duration.ofSeconds(10), "the lease of a to expire");
        assertEquals(first.epoch() + 1, taken.get(0).epoch(), "taken over under the next epoch");
        assertFalse(store.renew(first), "a, which never renewed, is fenced off");
    }
}

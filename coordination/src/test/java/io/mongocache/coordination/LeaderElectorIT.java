package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election on the lease store in MongoDB, with a leader that dies and a leader cut off from MongoDB: who
 * leads, under which epoch, and never two at once. The rules themselves, timing included, are
 * {@link LeaderElectorTest}'s, on a clock it drives; how long a takeover takes is measured by the failover harness
 * ({@code benchmarks/…/cluster/FailoverHarness}: kill → new leader), not asserted here.
 */
class LeaderElectorIT {
    /** Short enough for a quick test; the margins (lease 3 s, deadline 1 s) keep it safe on a loaded machine. */
    private static final LeaseSettings FAST =
            new LeaseSettings(Duration.ofMillis(3000), Duration.ofMillis(1000), Duration.ofMillis(200));

    private MongoDatabase db;
    private final LeadershipLog events = new LeadershipLog();

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("elector"));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }

    private LeaderElector elector(String node, LeaderElector.Leases store, ScheduledExecutorService scheduler) {
        return new LeaderElector(store, "watcher", node, FAST, scheduler, System::nanoTime, events.of(node));
    }

    /** The store, counting the acquisitions tried through it. */
    private static LeaderElector.Leases counting(LeaseStore store, AtomicInteger tries) {
        return new LeaderElector.Leases() {
            @Override
            public Optional<Lease> tryAcquire(String name, String node, Duration leaseDuration) {
                tries.incrementAndGet();
                return store.tryAcquire(name, node, leaseDuration);
            }

            @Override
            public boolean renew(Lease lease) {
                return store.renew(lease);
            }

            @Override
            public boolean release(Lease lease) {
                return store.release(lease);
            }
        };
    }


    @Test
    void shouldFailOverWhenTheLeaderDiesWithoutReleasing() throws Exception {
        LeaseStore store = new LeaseStore(db.getCollection("leases"));
        ScheduledExecutorService first = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService second = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger triesOfB = new AtomicInteger();
        LeaderElector a = elector("a", store, first);
        LeaderElector b = elector("b", counting(store, triesOfB), second);
        try {
            a.start();
            Await.until(a::isLeader, Duration.ofSeconds(10), "a to lead");
            b.start();
            Await.until(() -> triesOfB.get() >= 3, Duration.ofSeconds(10), "b to try three times");
            assertTrue(a.isLeader());
            assertFalse(b.isLeader(), "one leader at a time: b was refused while a renewed");
            long epoch = a.lease().orElseThrow().epoch();
            first.shutdownNow(); // a dies: no release, no more renewals
            Await.until(b::isLeader, Duration.ofSeconds(30), "b to take over once the lease of a expired");
            assertEquals(epoch + 1, b.lease().orElseThrow().epoch(), "the takeover is the next epoch");
            assertEquals(List.of("a leads " + epoch, "b leads " + (epoch + 1)), events.lines(),
                    "a died without a step-down; b led only after it");
        } finally {
            b.close();
            second.shutdownNow();
        }
    }

    @Test
    void shouldStepDownBeforeAnotherNodeCanLeadWhenCutOff() throws Exception {
        int port = TestMongo.port();
        TcpProxy link = TcpProxy.raw(port);
        ScheduledExecutorService first = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService second = Executors.newSingleThreadScheduledExecutor();
        try (MongoClient cutOff = MongoClients.create("mongodb://127.0.0.1:" + link.port()
                + "/?directConnection=true&serverSelectionTimeoutMS=300&socketTimeoutMS=300&connectTimeoutMS=300")) {
            LeaseStore storeOfA = new LeaseStore(cutOff.getDatabase(db.getName()).getCollection("leases"));
            LeaseStore storeOfB = new LeaseStore(db.getCollection("leases"));
            LeaderElector a = elector("a", storeOfA, first);
            LeaderElector b = elector("b", storeOfB, second);
            a.start();
            Await.until(a::isLeader, Duration.ofSeconds(10), "a to lead");
            Lease old = a.lease().orElseThrow();
            b.start();
            link.close(); // a can no longer reach MongoDB; b can
            Await.until(b::isLeader, Duration.ofSeconds(30), "b to take over");
            assertFalse(a.isLeader(), "a stepped down");
            // Never two leaders: a stopped (its listener ran) before b began.
            assertEquals(List.of("a leads " + old.epoch(), "a stops " + old.epoch(), "b leads " + (old.epoch() + 1)),
                    events.lines(), "a stopped leading before b began");
            assertFalse(storeOfB.renew(old), "the old epoch is fenced off");
            b.close();
        } finally {
            first.shutdownNow();
            second.shutdownNow();
            link.close();
        }
    }
}

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leader election on the lease store, with a leader that stops and a leader cut off from MongoDB. */
class LeaderElectorIT {
    private static final LeaseSettings FAST =
            new LeaseSettings(Duration.ofMillis(900), Duration.ofMillis(600), Duration.ofMillis(150));

    private MongoDatabase db;
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("elector"));
    }

    @AfterEach
    void tearDown() {
        db.drop();
    }

    private LeaderElector elector(String node, LeaseStore store, ScheduledExecutorService scheduler) {
        return new LeaderElector(store, "watcher", node, FAST, scheduler, System::nanoTime,
                new LeaderElector.Listener() {
                    @Override
                    public void becameLeader(Lease lease) {
                        events.add(System.nanoTime() + " " + node + " leads " + lease.epoch());
                    }

                    @Override
                    public void stoppedLeading(Lease lease) {
                        events.add(System.nanoTime() + " " + node + " stops " + lease.epoch());
                    }
                });
    }


    @Test
    void shouldFailOverWhenTheLeaderDiesWithoutReleasing() throws Exception {
        LeaseStore store = new LeaseStore(db.getCollection("leases"));
        ScheduledExecutorService first = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService second = Executors.newSingleThreadScheduledExecutor();
        LeaderElector a = elector("a", store, first);
        LeaderElector b = elector("b", store, second);
        try {
            a.start();
            Await.until(a::isLeader, Duration.ofSeconds(5), "a to lead");
            b.start();
            Thread.sleep(FAST.retryPeriod().toMillis() * 3);
            assertFalse(b.isLeader(), "one leader at a time");
            long epoch = a.lease().orElseThrow().epoch();
            first.shutdownNow(); // a dies: no release, no more renewals
            long killed = System.nanoTime();
            Await.until(b::isLeader, Duration.ofSeconds(5), "b to take over");
            long failover = System.nanoTime() - killed;
            assertEquals(epoch + 1, b.lease().orElseThrow().epoch());
            Duration bound = FAST.leaseDuration().plus(FAST.retryPeriod().multipliedBy(12).dividedBy(10))
                    .plusSeconds(1);
            System.out.printf("leader killed: new leader after %d ms (bound %d ms)%n", failover / 1_000_000,
                    bound.toMillis());
            assertTrue(failover <= bound.toNanos(), "failover took " + failover / 1_000_000 + " ms");
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
            Await.until(a::isLeader, Duration.ofSeconds(5), "a to lead");
            Lease old = a.lease().orElseThrow();
            b.start();
            link.close(); // a can no longer reach MongoDB; b can
            Await.until(b::isLeader, Duration.ofSeconds(10), "b to take over");
            Await.until(() -> !a.isLeader(), Duration.ofSeconds(5), "a to step down");
            // Never two leaders: a stopped (its listener ran) before b began.
            long aStopped = events.stream().filter(e -> e.endsWith("a stops " + old.epoch()))
                    .mapToLong(e -> Long.parseLong(e.split(" ")[0])).findFirst().orElseThrow();
            long bLeads = events.stream().filter(e -> e.contains(" b leads "))
                    .mapToLong(e -> Long.parseLong(e.split(" ")[0])).findFirst().orElseThrow();
            assertTrue(aStopped < bLeads, "a stopped leading before b began: " + events);
            assertFalse(storeOfB.renew(old), "the old epoch is fenced off");
            b.close();
        } finally {
            first.shutdownNow();
            second.shutdownNow();
            link.close();
        }
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Five electors whose local clocks are offset by ±1 h and run at 0.5× to 2× real time, each talking to MongoDB
 * through its own proxy that the test slows down at random (requests or replies, mostly the leader's) so renewals
 * fail or land late and leases change hands. Expiry is
 * judged by the server's clock, so skew can only make a node <em>believe</em> it still leads (a 0.5× clock stretches
 * its 1 s renew deadline to 2 s of real time, past the 1.5 s lease). What must hold: every epoch is won by exactly
 * one node, no two nodes ever lead under the same epoch, and the fenced actions every leader performs (a write
 * filtered by its epoch, as the watcher's checkpoints are) land on the server in non-decreasing epoch order — a
 * node that overstays is refused.
 */
class ClockSkewIT {
    private static final LeaseSettings LEASE =
            new LeaseSettings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(250));
    private static final double[] RATES = {0.5, 0.75, 1.0, 1.5, 2.0};
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private static final long[] OFFSETS = {-HOUR, HOUR, 0, -HOUR, HOUR};

    private MongoDatabase db;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("skew"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        db.drop();
    }

    private static LongSupplier skewed(long offset, double rate) {
        long base = System.nanoTime();
        return () -> offset + base + (long) ((System.nanoTime() - base) * rate);
    }

    /** Claims the fenced record for an epoch, like the watcher's checkpoint claim. */
    private static void claim(MongoCollection<Document> fenced, long epoch) {
        try {
            fenced.updateOne(and(eq("_id", "f"), lt("epoch", epoch)), Updates.set("epoch", epoch),
                    new UpdateOptions().upsert(true));
        } catch (MongoWriteException e) {
            // a newer (or this) epoch owns it already
        }
    }

    @Test
    void shouldNeverHaveTwoLeadersUnderOneEpochWhateverTheLocalClocksDo() throws Exception {
        int n = RATES.length;
        List<LeaderElector> electors = new ArrayList<>();
        List<TcpProxy> proxies = new ArrayList<>();
        Map<Long, String> winners = new ConcurrentHashMap<>();
        List<String> doubleWins = new CopyOnWriteArrayList<>();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String node = "node" + i + "@" + RATES[i] + "x";
            TcpProxy proxy = TcpProxy.raw(TestMongo.port());
            proxies.add(proxy);
            resources.add(proxy);
            MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + proxy.port()
                    + "/?serverSelectionTimeoutMS=3000&connectTimeoutMS=2000&socketTimeoutMS=3000");
            resources.add(client);
            MongoDatabase mine = client.getDatabase(db.getName());
            MongoCollection<Document> fenced = mine.getCollection("fenced");
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
            resources.add(scheduler::shutdownNow);
            LeaderElector elector = new LeaderElector(new LeaseStore(mine.getCollection("leases")), "watcher", node,
                    LEASE, scheduler, skewed(OFFSETS[i], RATES[i]), new LeaderElector.Listener() {
                        @Override
                        public void becameLeader(Lease lease) {
                            String previous = winners.putIfAbsent(lease.epoch(), node);
                            if (previous != null) {
                                doubleWins.add("epoch " + lease.epoch() + ": " + previous + " and " + node);
                            }
                        }

                        @Override
                        public void stoppedLeading(Lease lease) {}
                    });
            electors.add(elector);
            Thread worker = new Thread(() -> {
                long claimed = 0;
                while (running.get()) {
                    try {
                        Lease lease = elector.lease().orElse(null);
                        if (lease != null) {
                            if (claimed != lease.epoch()) {
                                claim(fenced, lease.epoch());
                                claimed = lease.epoch();
                            }
                            long matched = fenced.updateOne(and(eq("_id", "f"), eq("epoch", lease.epoch())),
                                    Updates.push("log", lease.epoch())).getMatchedCount();
                            (matched == 1 ? accepted : refused).incrementAndGet();
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        // a slowed-down proxy: try again
                    }
                }
            }, "fenced-worker-" + i);
            workers.add(worker);
        }
        electors.forEach(LeaderElector::start);
        for (Thread w : workers) {
            w.start();
        }
        LeaseStore observer = new LeaseStore(db.getCollection("leases"));
        Random random = new Random(42);
        List<String> sameEpoch = new ArrayList<>();
        int overlapSamples = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long nextFault = 0;
        while (System.nanoTime() < end) {
            if (System.nanoTime() > nextFault) {
                // Slow a random node's MongoDB for a while: its renewals time out or come back late.
                for (TcpProxy p : proxies) {
                    p.delayReplies(Duration.ZERO);
                    p.delayRequests(Duration.ZERO);
                }
                // Mostly the leader's: that is what moves the lease.
                int victim = random.nextInt(n);
                if (random.nextInt(4) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (electors.get(i).isLeader()) {
                            victim = i;
                        }
                    }
                }
                Duration delay = Duration.ofMillis(300 + random.nextInt(2200));
                if (random.nextBoolean()) {
                    proxies.get(victim).delayRequests(delay); // renewals reach the server late: the lease lapses
                } else {
                    proxies.get(victim).delayReplies(delay); // renewals succeed but the node learns it late
                }
                nextFault = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600 + random.nextInt(1200));
            }
            Map<Long, Integer> leadersByEpoch = new java.util.HashMap<>();
            int leaders = 0;
            for (LeaderElector e : electors) {
                Lease lease = e.lease().orElse(null);
                if (lease != null) {
                    leaders++;
                    leadersByEpoch.merge(lease.epoch(), 1, Integer::sum);
                }
            }
            overlapSamples += leaders > 1 ? 1 : 0;
            leadersByEpoch.forEach((epoch, count) -> {
                if (count > 1) {
                    sameEpoch.add("epoch " + epoch + " led by " + count + " nodes");
                }
            });
            Thread.sleep(5);
        }
        running.set(false);
        for (Thread w : workers) {
            w.interrupt();
            w.join();
        }
        proxies.forEach(p -> {
            p.delayReplies(Duration.ZERO);
            p.delayRequests(Duration.ZERO);
        });
        electors.forEach(LeaderElector::close);

        List<Long> log = new ArrayList<>();
        Document record = db.getCollection("fenced").find(eq("_id", "f")).first();
        if (record != null) {
            for (Object epoch : record.getList("log", Object.class)) {
                log.add(((Number) epoch).longValue());
            }
        }
        List<String> outOfOrder = new ArrayList<>();
        for (int i = 1; i < log.size(); i++) {
            if (log.get(i) < log.get(i - 1)) {
                outOfOrder.add("epoch " + log.get(i) + " acted after epoch " + log.get(i - 1));
            }
        }
        long epochs = observer.read("watcher").map(d -> d.get("epoch", Number.class).longValue()).orElse(0L);
        System.out.printf("clock skew: %d epochs won by %s; %d samples with two nodes believing they lead (different"
                + " epochs); fenced actions %d accepted, %d refused%n", epochs, winners.values().stream().distinct()
                .count() + " nodes", overlapSamples, accepted.get(), refused.get());
        assertEquals(List.of(), doubleWins, "an epoch won twice");
        assertEquals(List.of(), sameEpoch, "two leaders under one epoch");
        assertEquals(List.of(), outOfOrder, "a stale leader acted after a newer one");
        assertTrue(epochs >= 2, "the faults should move the lease at least once; epochs: " + epochs);
        assertTrue(accepted.get() > 0, "leaders acted");
    }
}

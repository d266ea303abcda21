package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Promise 3 (bounded staleness on every other node) and promise 2 (read-your-writes), checked by
 * {@link StaleReadChecker} on three nodes — healthy, and under each Redis fault.
 */
class MultiNodeStalenessIT {
    private static final Duration MAX_STALENESS = Duration.ofMillis(400);
    private static final Duration RUN = Duration.ofSeconds(4);

    private RedisServer redis;
    private MongoDatabase db;
    private final List<MongoCache> nodes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("stale"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (MongoCache node : nodes) {
            node.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        redis.close();
        db.drop();
    }

    private MongoCache node(String redisUri) {
        return node(redisUri, InvalidationMode.SYNC);
    }

    private MongoCache node(String redisUri, InvalidationMode mode) {
        MongoCache node = MongoCache.builder().redis(redisUri).maxStaleness(MAX_STALENESS).invalidation(mode)
                .redisTimeout(Duration.ofMillis(150)).redisRetryInterval(Duration.ofMillis(100)).build();
        nodes.add(node);
        return node;
    }

    private StaleReadChecker.Report check(String scenario, Runnable faults) throws Exception {
        StaleReadChecker checker = new StaleReadChecker(nodes, db.getCollection("counters"), 60, MAX_STALENESS);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread faultThread = new Thread(() -> {
            while (running.get()) {
                faults.run();
            }
        }, "faults");
        faultThread.start();
        StaleReadChecker.Report report;
        try {
            report = checker.run(RUN, 2, 4);
        } finally {
            running.set(false);
            faultThread.join();
        }
        System.out.println("stale-read checker [" + scenario + "]: " + report);
        assertEquals(0, report.violations(), report.toString());
        assertTrue(report.readsChecked() > 1000, "too few reads to show anything: " + report);
        return report;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldFindNoViolationsWithoutTheCache() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri());
        }
        StaleReadChecker checker = new StaleReadChecker(nodes, db.getCollection("counters"), 60, MAX_STALENESS, true);
        StaleReadChecker.Report report = checker.run(RUN, 2, 4);
        System.out.println("stale-read checker [uncached calibration]: " + report);
        assertEquals(0, report.violations(), report.toString());
    }

    @Test
    void shouldBoundStalenessOnHealthyNodes() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri());
        }
        StaleReadChecker.Report report = check("healthy", () -> sleep(50));
        assertTrue(report.hits() > report.readsChecked() / 4, "the cache must serve reads: " + report);
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void shouldBoundStalenessOnARedisCluster(InvalidationMode mode) throws Exception {
        String[] seeds = io.mongocache.testing.TestRedis.cluster().uris().toArray(String[]::new);
        String prefix = "stale" + System.nanoTime(); // the shared cluster outlives this test: keys of our own
        for (int i = 0; i < 3; i++) {
            // ASYNC: the sender's batches reach the others as bundles through the sharded channel (SPUBLISH).
            nodes.add(MongoCache.builder().redisCluster(seeds).maxStaleness(MAX_STALENESS).invalidation(mode)
                    .redisTimeout(Duration.ofMillis(500)).redisRetryInterval(Duration.ofMillis(100))
                    .keyPrefix(prefix).build());
        }
        StaleReadChecker.Report report = check("3-master Redis Cluster, " + mode, () -> sleep(50));
        assertTrue(report.hits() > report.readsChecked() / 4, "the cache must serve reads: " + report);
    }

    @Test
    void shouldSurviveKilledSubscriberConnections() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri());
        }
        RedisClient admin = RedisClient.create(redis.uri());
        closeables.add(admin::shutdown);
        StatefulRedisConnection<String, String> connection = admin.connect();
        check("CLIENT KILL TYPE pubsub every 700 ms", () -> {
            sleep(700);
            connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        });
        long flushes = nodes.stream().mapToLong(n -> n.stats().channel().flushes()).sum();
        assertTrue(flushes > 3, "re-subscriptions must flush the local tier, saw " + flushes);
    }

    @Test
    void shouldSurviveRedisPausedLongerThanMaxStaleness() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri());
        }
        AtomicBoolean paused = new AtomicBoolean();
        check("SIGSTOP 2 x maxStaleness, then SIGCONT", () -> {
            sleep(800);
            if (paused.compareAndSet(false, true)) {
                redis.pause();
                sleep(MAX_STALENESS.toMillis() * 2);
                redis.resume();
            }
        });
    }

    @Test
    void shouldSurviveRedisKilledAndRestartedEmpty() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri());
        }
        AtomicBoolean done = new AtomicBoolean();
        check("Redis SIGKILL, restarted empty after 600 ms", () -> {
            sleep(800);
            if (done.compareAndSet(false, true)) {
                redis.kill();
                sleep(600);
                redis.restart();
            }
        });
    }

    @Test
    void shouldDetectADroppedMessage() throws Exception {
        TcpProxy proxy = TcpProxy.redis(redis.port());
        closeables.add(proxy);
        node(redis.uri());
        node(redis.uri());
        node(proxy.redisUri());
        check("one invalidation message to node 2 dropped every 300 ms", () -> {
            sleep(300);
            // Channel messages are [format][type]…; 'D' is an invalidation (heartbeats are 'H').
            proxy.dropNextMessage(payload -> payload.length > 1 && payload[1] == 'D');
        });
        assertTrue(proxy.dropped() > 3, "messages must have been dropped: " + proxy.dropped());
        assertTrue(nodes.get(2).stats().channel().gaps() > 0, "the node behind the proxy must notice the gaps");
    }

    @Test
    void shouldBoundStalenessWithAsynchronousInvalidation() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri(), InvalidationMode.ASYNC);
        }
        StaleReadChecker.Report report = check("ASYNC invalidation, healthy", () -> sleep(50));
        assertTrue(report.hits() > report.readsChecked() / 4, "the cache must serve reads: " + report);
    }

    @Test
    void shouldBoundStalenessWithSynchronousAndAsynchronousNodesMixed() throws Exception {
        node(redis.uri(), InvalidationMode.ASYNC);
        node(redis.uri(), InvalidationMode.SYNC);
        node(redis.uri(), InvalidationMode.ASYNC);
        check("two ASYNC nodes and one SYNC node", () -> sleep(50));
    }

    @Test
    void shouldBoundStalenessWithAsynchronousInvalidationWhileRedisPauses() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri(), InvalidationMode.ASYNC);
        }
        AtomicBoolean paused = new AtomicBoolean();
        check("ASYNC, SIGSTOP 2 x maxStaleness, then SIGCONT", () -> {
            sleep(800);
            if (paused.compareAndSet(false, true)) {
                redis.pause();
                sleep(MAX_STALENESS.toMillis() * 2);
                redis.resume();
            }
        });
    }

    @Test
    void shouldBoundStalenessWhenAnAsynchronousWritersSendsFallBehind() throws Exception {
        // Node 3 reaches Redis through a proxy that now and then holds its commands back for 3 x maxStaleness:
        // its acknowledged writes wait in its sender, its heartbeats stop, and the others must stop trusting
        // their tiers within the bound — and flush, and retire the era, if it stays silent.
        TcpProxy proxy = TcpProxy.redis(redis.port());
        closeables.add(proxy);
        node(redis.uri(), InvalidationMode.ASYNC);
        node(redis.uri(), InvalidationMode.ASYNC);
        node(proxy.redisUri(), InvalidationMode.ASYNC);
        AtomicBoolean stalled = new AtomicBoolean();
        check("ASYNC, one node's commands held back 3 x maxStaleness", () -> {
            sleep(900);
            if (stalled.compareAndSet(false, true)) {
                proxy.delayRequests(MAX_STALENESS.multipliedBy(3));
                sleep(MAX_STALENESS.toMillis() * 3);
                proxy.delayRequests(Duration.ZERO);
            }
        });
    }

    @Test
    void shouldBoundStalenessWithAsynchronousInvalidationAndKilledSubscribers() throws Exception {
        for (int i = 0; i < 3; i++) {
            node(redis.uri(), InvalidationMode.ASYNC);
        }
        RedisClient admin = RedisClient.create(redis.uri());
        closeables.add(admin::shutdown);
        StatefulRedisConnection<String, String> connection = admin.connect();
        check("ASYNC, CLIENT KILL TYPE pubsub every 700 ms", () -> {
            sleep(700);
            connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        });
    }
}

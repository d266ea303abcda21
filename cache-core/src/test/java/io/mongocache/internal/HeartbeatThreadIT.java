package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Issue 10.11: probes, recovery and subscribing may wait for Redis; heartbeats must not wait behind them, or the
 * node stops trusting its own local tier while Redis is fine.
 */
class HeartbeatThreadIT {
    private static final Duration MAX_STALENESS = Duration.ofMillis(400);

    @Test
    void shouldKeepItsLocalTierTrustedWhileAProbeOrRecoveryIsStuck() throws InterruptedException {
        try (MongoCache built = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("hb" + System.nanoTime())
                .maxStaleness(MAX_STALENESS).build()) {
            DefaultMongoCache cache = (DefaultMongoCache) built;
            assertTrue(cache.awaitInvalidations(Duration.ofSeconds(5)));
            CountDownLatch stuck = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // What a probe does against a Redis that takes its full timeout to answer, only longer.
            cache.maintenanceScheduler().execute(() -> {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                stuck.await();
                long received = cache.stats().channel().received();
                // Twelve heartbeats go out every maxStaleness / 4: three times the bound with the scheduler stuck.
                Await.until(() -> cache.stats().channel().received() >= received + 12, Duration.ofSeconds(10),
                        "twelve of its own heartbeats back while the maintenance scheduler is stuck");
                assertTrue(cache.stats().channel().localTierTrusted(),
                        "a stuck probe must not make the node distrust its own local tier");
            } finally {
                release.countDown();
            }
        }
    }
}

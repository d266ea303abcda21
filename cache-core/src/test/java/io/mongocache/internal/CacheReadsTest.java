package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The read algorithm's expiry rules, on the local tier with a clock driven by the test. */
class CacheReadsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long TTL = 100 * SECOND;

    private final AtomicLong now = new AtomicLong(1);
    private final Ticker ticker = now::get;
    private final Versions versions = new Versions();
    private final StatsRegistry stats = new StatsRegistry(100);
    private final LocalTier local = new LocalTier(64L << 20, ticker, stats);
    private final List<Runnable> queuedReloads = new ArrayList<>();

    private CacheReads reads(double jitter, double refreshAhead, Executor reloads) {
        return new CacheReads(versions, local, null, stats, 1 << 20, () -> true, () -> true,
                new CacheReads.Expiry(jitter, refreshAhead, reloads));
    }

    private static CacheKey key(String name) {
        return new KeyBuilder("db.c", "find", Document.class, new BsonDocument("mode", new BsonString("primary")),
                new BsonDocument()).string("k", name).build();
    }

    private static Loader loader(AtomicInteger loads) {
        return cap -> ReadResult.complete(Payloads.ofLong(loads.incrementAndGet()), null);
    }

    private static long value(ReadResult r) {
        return Payloads.toLong(r.payload());
    }

    @Test
    void shouldSpreadTheExpiryOfEntriesLoadedTogether() {
        CacheReads reads = reads(0.1, 0, Runnable::run);
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            reads.read(key("k" + i), TTL, loader(loads), null);
        }
        assertEquals(1_000, loads.get());
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 1_000; i++) {
            long ttl = local.get(key("k" + i)).ttlNanos();
            min = Math.min(min, ttl);
            max = Math.max(max, ttl);
        }
        assertTrue(min >= TTL * 0.9 && max <= TTL, "within 10 %: " + min + " … " + max);
        assertTrue(max - min > TTL * 0.08, "spread over most of the jitter: " + min + " … " + max);
        // Advance to 95 % of the TTL: about half the entries have expired, not all at once.
        now.addAndGet(TTL * 95 / 100);
        local.cleanUp();
        long alive = local.size();
        assertTrue(alive > 300 && alive < 700, "about half still alive at 95 % of the TTL: " + alive);
    }

    @Test
    void shouldKeepExactTtlsWithoutJitter() {
        CacheReads reads = reads(0, 0, Runnable::run);
        reads.read(key("a"), TTL, loader(new AtomicInteger()), null);
        assertEquals(TTL, local.get(key("a")).ttlNanos());
    }

    @Test
    void shouldReloadAHotEntryOnceInTheLastPartOfItsLife() {
        CacheReads reads = reads(0, 0.2, queuedReloads::add);
        AtomicInteger loads = new AtomicInteger();
        AtomicInteger reloaderCalls = new AtomicInteger();
        CacheKey key = key("hot");
        java.util.function.Supplier<Loader> reloader = () -> {
            reloaderCalls.incrementAndGet();
            return loader(loads);
        };
        assertEquals(1, value(reads.read(key, TTL, loader(loads), reloader)));
        now.addAndGet(TTL * 7 / 10);
        assertEquals(1, value(reads.read(key, TTL, loader(loads), reloader)));
        assertEquals(0, queuedReloads.size(), "70 % of its life: no reload yet");
        now.addAndGet(TTL / 10 + 1);
        for (int i = 0; i < 50; i++) {
            assertEquals(1, value(reads.read(key, TTL, loader(loads), reloader)), "the old entry serves meanwhile");
        }
        assertEquals(1, queuedReloads.size(), "one reload per key, however many hits");
        assertEquals(1, reloaderCalls.get());
        queuedReloads.remove(0).run();
        assertEquals(2, loads.get());
        assertEquals(2, value(reads.read(key, TTL, loader(loads), reloader)), "the reloaded entry serves");
        assertEquals(1, stats.of("db.c").reloads.sum());
        // The reloaded entry lives a whole TTL from its reload: past the old expiry it still serves.
        now.addAndGet(TTL / 2);
        assertEquals(2, value(reads.read(key, TTL, loader(loads), reloader)));
        assertEquals(2, loads.get());
    }

    @Test
    void shouldNotInstallAReloadThatRacedAWrite() {
        CacheReads reads = reads(0, 0.2, queuedReloads::add);
        AtomicInteger loads = new AtomicInteger();
        CacheKey key = key("raced");
        java.util.function.Supplier<Loader> reloader = () -> cap -> {
            int n = loads.incrementAndGet();
            // The write lands while the reload's query runs: its result may be stale.
            versions.apply(io.mongocache.invalidation.Invalidation.namespace("db.c"));
            return ReadResult.complete(Payloads.ofLong(n), null);
        };
        reads.read(key, TTL, loader(loads), reloader);
        now.addAndGet(TTL * 9 / 10);
        reads.read(key, TTL, loader(loads), reloader);
        queuedReloads.remove(0).run();
        assertEquals(3, value(reads.read(key, TTL, loader(loads), null)), "a miss after the write loads afresh");
    }

    @Test
    void shouldSkipAReloadTheExecutorRefusesAndTryAgainLater() {
        AtomicInteger offered = new AtomicInteger();
        CacheReads reads = reads(0, 0.2, r -> {
            offered.incrementAndGet();
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        AtomicInteger loads = new AtomicInteger();
        CacheKey key = key("refused");
        reads.read(key, TTL, loader(loads), () -> loader(loads));
        now.addAndGet(TTL * 9 / 10);
        reads.read(key, TTL, loader(loads), () -> loader(loads));
        reads.read(key, TTL, loader(loads), () -> loader(loads));
        assertEquals(2, offered.get(), "a refused reload does not block the key's next attempt");
        assertEquals(1, loads.get());
    }

    /** A load of {@code key} that stays stuck, as leader of its flight, until {@link #release}. */
    private final class StuckLeader implements AutoCloseable {
        final CountDownLatch loading = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        final Future<ReadResult> result;

        StuckLeader(CacheReads reads, CacheKey key) throws InterruptedException {
            result = pool.submit(() -> reads.read(key, stats.of("db.c"), TTL, 0, cap -> {
                loading.countDown();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ReadResult.complete(Payloads.ofLong(1), null);
            }, null));
            assertTrue(loading.await(10, TimeUnit.SECONDS), "the leader started loading");
        }

        Future<ReadResult> waiter(CacheReads reads, CacheKey key, long limitNanos, Loader loader) {
            return pool.submit(() -> reads.read(key, stats.of("db.c"), TTL, limitNanos, loader, null));
        }

        void release() {
            released.countDown();
        }

        @Override
        public void close() {
            release();
            pool.shutdownNow();
        }
    }

    @Test
    void shouldLetAWaiterWithATimeLimitLoadForItselfWhileAnotherThreadsLoadIsStuck() throws Exception {
        CacheReads reads = reads(0, 0, Runnable::run);
        CacheKey key = key("stuck");
        try (StuckLeader leader = new StuckLeader(reads, key)) {
            Future<ReadResult> waiter = leader.waiter(reads, key, TimeUnit.MILLISECONDS.toNanos(50),
                    cap -> ReadResult.complete(Payloads.ofLong(2), null));
            // The waiter answers from its own query while the leader is still stuck (released only afterwards).
            ReadResult own = waiter.get(20, TimeUnit.SECONDS);
            assertEquals(1, leader.released.getCount(), "the leader was still loading");
            assertEquals(2, value(own), "the waiter queried for itself");
            leader.release();
            assertEquals(1, value(leader.result.get(10, TimeUnit.SECONDS)));
        }
    }

    @Test
    void shouldShareAFlightWithAWaiterWithoutATimeLimit() throws Exception {
        CacheReads reads = reads(0, 0, Runnable::run);
        CacheKey key = key("shared");
        AtomicInteger waiterLoads = new AtomicInteger();
        try (StuckLeader leader = new StuckLeader(reads, key)) {
            Future<ReadResult> waiter = leader.waiter(reads, key, 0,
                    cap -> ReadResult.complete(Payloads.ofLong(100 + waiterLoads.incrementAndGet()), null));
            leader.release();
            assertEquals(1, value(leader.result.get(10, TimeUnit.SECONDS)));
            // Either it joined the flight, or it started after the flight landed and hit the installed entry.
            assertEquals(1, value(waiter.get(10, TimeUnit.SECONDS)), "one load for both");
            assertEquals(0, waiterLoads.get());
        }
    }

    @Test
    void shouldShareOneLoadAmongReadsThatFollowAFlushWhileAnOlderFlightIsStuck() throws Exception {
        CacheReads reads = reads(0, 0, Runnable::run);
        CacheKey key = key("flushed");
        AtomicInteger followerLoads = new AtomicInteger();
        ExecutorService followers = Executors.newFixedThreadPool(6);
        try (StuckLeader leader = new StuckLeader(reads, key)) {
            // A flush lands while the leader's query runs: its result is dead on arrival, and no later read may
            // share it. The reads that follow share one new load instead of each loading alone.
            versions.bumpAll();
            CountDownLatch arrived = new CountDownLatch(6);
            // The load after the flush waits until every follower has called read (and a little longer, so that
            // they are past their local lookup): any of them that does not share it loads as well.
            Loader slowLoad = cap -> {
                int n = followerLoads.incrementAndGet();
                try {
                    arrived.await(10, TimeUnit.SECONDS);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ReadResult.complete(Payloads.ofLong(100 + n), null);
            };
            List<Future<ReadResult>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(followers.submit(() -> {
                    arrived.countDown();
                    return reads.read(key, stats.of("db.c"), TTL, 0, slowLoad, null);
                }));
            }
            for (Future<ReadResult> r : results) {
                assertEquals(101, value(r.get(20, TimeUnit.SECONDS)), "the one load after the flush");
            }
            assertEquals(1, followerLoads.get(), "one load for the six reads after the flush");
            leader.release();
            assertEquals(1, value(leader.result.get(10, TimeUnit.SECONDS)), "the leader's caller gets its own read");
            assertEquals(101, value(reads.read(key, TTL, loader(new AtomicInteger()), null)),
                    "the dead flight did not install over the current entry");
        } finally {
            followers.shutdownNow();
        }
    }
}

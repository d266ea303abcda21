package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.MongoCache;
import io.mongocache.MongoCacheBuilder;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.testing.TestRedis;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Promise 4 (no stale set), driven deterministically: a load reads the value, then is held while a write
 * changes the value and invalidates; when the load is released it tries to install the value it read. After
 * the write returned, no read may return that pre-write value — from L1 or from Redis — 1,000 times in a row.
 */
class NoStaleSetIT {
    private static final int ROUNDS = 1_000;

    private static CacheKey key(String namespace) {
        return new KeyBuilder(namespace, "find", Document.class, new BsonDocument("mode", new org.bson.BsonString("primary")),
                new BsonDocument()).build();
    }

    private static DefaultMongoCache cache(MongoCacheBuilder builder) {
        return (DefaultMongoCache) builder.build();
    }

    /** Runs the race: {@code loader} node loads slowly, {@code writer} node writes meanwhile, both then read. */
    private static void race(DefaultMongoCache loaderNode, DefaultMongoCache writerNode, String namespace)
            throws Exception {
        CacheKey key = key(namespace);
        AtomicLong truth = new AtomicLong();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                long before = truth.get();
                // Start from a miss: the previous round left the fresh value cached.
                loaderNode.invalidate(Invalidation.namespace(namespace));
                CountDownLatch read = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Future<ReadResult> slowRead = executor.submit(() -> loaderNode.read(key, null, 0, cap -> {
                    byte[] value = Payloads.ofLong(truth.get());
                    read.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ReadResult.complete(value, null);
                }));
                if (!read.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("round " + round + ": the read did not reach MongoDB");
                }
                // The write: MongoDB applies it, then the library invalidates, then the call returns.
                truth.set(round);
                writerNode.invalidate(Invalidation.namespace(namespace));
                release.countDown();
                long concurrent = Payloads.toLong(slowRead.get().payload());
                assertEquals(before, concurrent, "the concurrent read sees the value it loaded");
                for (DefaultMongoCache node : new DefaultMongoCache[] {loaderNode, writerNode}) {
                    for (int i = 0; i < 2; i++) {
                        long seen = Payloads.toLong(node.read(key, null, 0,
                                cap -> ReadResult.complete(Payloads.ofLong(truth.get()), null)).payload());
                        assertEquals(round, seen, "round " + round + ": a read after the write returned");
                    }
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldNeverInstallAPreWriteLoadOnTheWritingNode() throws Exception {
        try (DefaultMongoCache node = cache(MongoCache.builder().redis(TestRedis.uri()))) {
            race(node, node, "race.sameNode" + System.nanoTime());
            assertEquals(0, node.stats().totals().l2Errors());
            org.junit.jupiter.api.Assertions.assertTrue(node.stats().totals().l1Hits() >= ROUNDS,
                    "the fresh value must be cached, or the test shows nothing");
        }
    }

    @Test
    void shouldNeverInstallAPreWriteLoadInRedisForOtherNodes() throws Exception {
        // Two nodes sharing Redis, local tiers off (cross-node L1 invalidation is the channel's, tested elsewhere).
        MongoCacheBuilder shared = MongoCache.builder().redis(TestRedis.uri()).maxLocalBytes(0);
        try (DefaultMongoCache a = cache(shared); DefaultMongoCache b = cache(MongoCache.builder()
                .redis(TestRedis.uri()).maxLocalBytes(0))) {
            race(a, b, "race.twoNodes" + System.nanoTime());
            org.junit.jupiter.api.Assertions.assertTrue(a.stats().totals().l2Hits() + b.stats().totals().l2Hits()
                    >= ROUNDS, "the fresh value must be served from Redis, or the test shows nothing");
        }
    }
}

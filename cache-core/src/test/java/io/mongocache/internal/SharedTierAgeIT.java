package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * A result one node loaded and another copies from Redis keeps its age: the copy in the second node's local tier
 * expires when the Redis entry does, not a whole TTL after the copy. Otherwise a result could be served up to twice
 * its TTL after it was read from MongoDB — and the TTL is what bounds outside writes when no watcher runs.
 */
class SharedTierAgeIT {

    private static CacheKey key(String namespace) {
        return new KeyBuilder(namespace, "find", Document.class,
                new BsonDocument("mode", new org.bson.BsonString("primary")), new BsonDocument()).build();
    }

    @Test
    void shouldNotKeepALocalCopyOfARedisEntryLongerThanTheEntryLives() throws Exception {
        String prefix = "age" + System.nanoTime();
        String namespace = "age.c" + System.nanoTime();
        AtomicLong copierClock = new AtomicLong(1_000_000_000L);
        Duration ttl = Duration.ofMinutes(1);
        RedisClient client = RedisClient.create(TestRedis.uri());
        try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE);
                DefaultMongoCache loader = (DefaultMongoCache) MongoCache.builder().redis(TestRedis.uri())
                        .keyPrefix(prefix).build();
                DefaultMongoCache copier = (DefaultMongoCache) MongoCache.builder().redis(TestRedis.uri())
                        .keyPrefix(prefix).nanoClock(copierClock::get).build()) {
            // The copier's local tier serves once it has heard its own heartbeat (its proof of the channel).
            assertTrue(copier.awaitInvalidations(Duration.ofSeconds(10)), "the copier's channel is up");
            AtomicLong loads = new AtomicLong();
            Loader load = cap -> ReadResult.complete(Payloads.ofLong(loads.incrementAndGet()), null);
            loader.read(key(namespace), ttl, 0, load);
            // The install is sent without waiting: wait until Redis holds the entry, then age it to 10 s left.
            String pattern = prefix + ":{" + namespace + "}:e:*";
            Await.until(() -> !raw.sync().keys(pattern).isEmpty(), Duration.ofSeconds(10), "the entry in Redis");
            List<byte[]> entries = raw.sync().keys(pattern);
            assertEquals(1, entries.size());
            assertTrue(raw.sync().pexpire(entries.get(0), 10_000));

            assertEquals(1, Payloads.toLong(copier.read(key(namespace), ttl, 0, load).payload()));
            assertEquals(1, copier.stats().namespace(namespace).l2Hits(), "copied from Redis");
            assertEquals(1, Payloads.toLong(copier.read(key(namespace), ttl, 0, load).payload()));
            assertEquals(1, copier.stats().namespace(namespace).l1Hits(), "then served locally");

            // 11 s later on the copier's clock (Redis' real clock has not moved): the local copy is past the
            // entry's life and must not serve; the Redis entry itself still lives and answers.
            copierClock.addAndGet(Duration.ofSeconds(11).toNanos());
            assertEquals(1, Payloads.toLong(copier.read(key(namespace), ttl, 0, load).payload()));
            NamespaceStats stats = copier.stats().namespace(namespace);
            assertEquals(1, stats.l1Hits(), "the aged local copy served: " + stats);
            assertEquals(2, stats.l2Hits(), "asked Redis again: " + stats);
            assertEquals(1, loads.get());
        } finally {
            client.shutdown();
        }
    }
}

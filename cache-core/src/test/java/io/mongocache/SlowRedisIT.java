package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10.11: a Redis that answers slowly, but well within {@code maxStaleness}, must not switch the local tier
 * off. Here every byte to and from Redis takes 450 ms each way (a pipelined link): a heartbeat comes back 900 ms
 * after it was sent, which proves freshness in time as long as the next heartbeat does not wait for that reply.
 */
class SlowRedisIT {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(2);
    private static final Duration ONE_WAY = Duration.ofMillis(450);

    private RedisServer redis;
    private TcpProxy proxy;

    @BeforeEach
    void setUp() {
        redis = RedisServer.start();
        proxy = TcpProxy.raw(redis.port()).latency(ONE_WAY);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        redis.close();
    }

    @Test
    void shouldKeepTrustingItsLocalTierWhileRedisAnswersSlowlyWithinTheBound() throws InterruptedException {
        // A timeout longer than maxStaleness / 4 is allowed: heartbeats never wait for it.
        try (MongoCache cache = MongoCache.builder().redis(proxy.redisUri()).maxStaleness(MAX_STALENESS)
                .redisTimeout(Duration.ofSeconds(3)).build()) {
            assertTrue(cache.awaitInvalidations(Duration.ofSeconds(30)), "the first heartbeat came back");
            long received = cache.stats().channel().received();
            // Sample trust until ten more heartbeats came back: a count, not a duration, ends the watch.
            while (cache.stats().channel().received() < received + 10) {
                assertTrue(cache.stats().channel().localTierTrusted(),
                        "a Redis 900 ms away must not make the node distrust its local tier (bound 2 s)");
                Thread.sleep(10);
            }
        }
    }
}

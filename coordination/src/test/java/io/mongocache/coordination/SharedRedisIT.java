package io.mongocache.coordination;

import io.mongocache.MongoCacheConfigurationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.spi.CacheHooks;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Redis is configured once, on the cache: the coordinator's delegation channel runs on the cache's Redis, under
 * its key prefix, on its Lettuce event loops (one Redis I/O stack per process), and delegation without a cache
 * that has Redis is refused at {@code start()} with what is missing.
 */
class SharedRedisIT {
    private static final Pattern EVENT_LOOP = Pattern.compile("lettuce-\\w*EventLoop-(\\d+)-\\d+");

    @Test
    void shouldCarryDelegationOnTheCachesRedisAndEventLoops() throws Exception {
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("shared"));
        String state = TestMongo.uniqueDatabaseName("state");
        String prefix = "shr" + System.nanoTime();
        try (MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
                MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                        .build()) {
            CacheHooks.SharedRedis redis = CacheHooks.of(cache).sharedRedis().orElseThrow();
            assertEquals(prefix, redis.keyPrefix());
            assertFalse(redis.cluster());
            assertFalse(redis.toString().contains("redis://"), "no URI (nor its password) in " + redis);
            Set<String> loopsBefore = eventLoopGroups();
            assertFalse(loopsBefore.isEmpty(), "the cache's client runs on event loops: " + loopsBefore);
            Coordinator coordinator = Coordinator.builder().client(TestMongo.client()).cache(cache)
                    .stateDatabase(state).nodeId("n1").pools(pools).delegate(app.getName()).start();
            try {
                Await.until(() -> coordinator.delegation().isPresent(), Duration.ofSeconds(10),
                        "the delegation channel to connect");
                String channel = coordinator.peers().stream().filter(p -> p.nodeId().equals("n1")).findFirst()
                        .orElseThrow().channel();
                assertEquals(prefix + ":dlg:n1", channel, "the channel lives under the cache's key prefix");
                Set<String> opened = eventLoopGroups();
                opened.removeAll(loopsBefore);
                assertEquals(Set.of(), opened, "delegation opened no event-loop group of its own");
            } finally {
                coordinator.close();
                TestMongo.client().getDatabase(state).drop();
            }
        }
    }

    @Test
    void shouldRefuseDelegationWhenTheCacheHasNoRedis() {
        try (MongoCache cache = MongoCache.builder().build();
                MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                        .build()) {
            assertTrue(CacheHooks.of(cache).sharedRedis().isEmpty());
            MongoCacheConfigurationException e = assertThrows(MongoCacheConfigurationException.class, () -> Coordinator.builder()
                    .client(TestMongo.client()).cache(cache).pools(pools).delegate("tenant").start());
            assertTrue(e.getMessage().contains("delegate([tenant])") && e.getMessage().contains("redis(uri)"),
                    e.getMessage());
        }
    }

    @Test
    void shouldRefuseHooksOfACacheNotBuiltByTheBuilder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheHooks.of(null));
        assertTrue(e.getMessage().startsWith("cache must be built by MongoCache.builder()"), e.getMessage());
    }

    /** The pool numbers of the live Lettuce event-loop threads: one per event-loop group. */
    private static Set<String> eventLoopGroups() {
        Set<String> groups = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            Matcher m = EVENT_LOOP.matcher(t.getName());
            if (m.matches()) {
                groups.add(m.group(1));
            }
        }
        return groups;
    }
}

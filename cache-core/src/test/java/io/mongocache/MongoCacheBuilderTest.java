package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MongoCacheBuilderTest {

    @Test
    void shouldDocumentDefaults() {
        try (MongoCache cache = MongoCache.builder().build()) {
            MongoCacheConfig c = cache.config();
            assertEquals(MongoCacheConfig.RedisMode.NONE, c.redisMode());
            assertEquals(64L * 1024 * 1024, c.maxLocalBytes());
            assertEquals(Duration.ofMinutes(5), c.defaultTtl());
            assertEquals(1024 * 1024, c.maxResultBytes());
            assertEquals(Duration.ofMillis(500), c.redisTimeout());
            assertEquals("mc", c.keyPrefix());
        }
    }

    @Test
    void shouldBePreciseByDefaultSinceTheAnalysisIsARequiredDependency() {
        // mongocache-invalidation is a dependency of mongocache-core: precision cannot be missing, only turned off.
        try (MongoCache cache = MongoCache.builder().build()) {
            assertTrue(cache.config().preciseInvalidation(), "per-document invalidation is the default");
        }
        try (MongoCache cache = MongoCache.builder().preciseInvalidation(true).build()) {
            assertTrue(cache.config().preciseInvalidation());
        }
        try (MongoCache cache = MongoCache.builder().preciseInvalidation(false).build()) {
            assertFalse(cache.config().preciseInvalidation(), "turned off, it says so");
            assertTrue(cache.config().toString().contains("preciseInvalidation=false"), cache.config().toString());
        }
    }

    @Test
    void shouldRejectNegativeLocalBytesNamingTheParameter() {
        var e = assertThrows(IllegalArgumentException.class, () -> MongoCache.builder().maxLocalBytes(-1));
        assertTrue(e.getMessage().contains("maxLocalBytes"), e.getMessage());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void shouldRejectNonPositiveTtls() {
        assertMessage("defaultTtl", () -> MongoCache.builder().defaultTtl(Duration.ZERO));
        assertMessage("defaultTtl", () -> MongoCache.builder().defaultTtl(Duration.ofSeconds(-1)));
        assertMessage("defaultTtl", () -> MongoCache.builder().defaultTtl(null));
        assertMessage("redisTimeout", () -> MongoCache.builder().redisTimeout(Duration.ZERO));
        assertMessage("redisRetryInterval", () -> MongoCache.builder().redisRetryInterval(Duration.ofMillis(-5)));
        assertMessage("maxResultBytes", () -> MongoCache.builder().maxResultBytes(0));
    }

    @Test
    void shouldRejectMalformedRedisUriWithoutLeakingThePassword() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MongoCache.builder().redis("redis://user:s3cret@:notaport"));
        assertTrue(e.getMessage().startsWith("redis"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("****"), e.getMessage());
        assertMessage("redis", () -> MongoCache.builder().redis(null));
        assertMessage("redis", () -> MongoCache.builder().redis("not a uri"));
        assertMessage("redisCluster", () -> MongoCache.builder().redisCluster());
    }

    @Test
    void shouldRejectSettingRedisTwice() {
        var e = assertThrows(IllegalArgumentException.class, () -> MongoCache.builder()
                .redis("redis://a:pw@127.0.0.1:1").redisCluster("redis://127.0.0.1:2"));
        assertTrue(e.getMessage().contains("already"), e.getMessage());
        assertFalse(e.getMessage().contains(":pw@"), e.getMessage());
    }

    @Test
    void shouldRejectContradictorySizesAtBuild() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MongoCache.builder().maxLocalBytes(1000).maxResultBytes(2000).build());
        assertTrue(e.getMessage().contains("maxResultBytes"), e.getMessage());
    }

    @Test
    void shouldRejectNullCollection() {
        try (MongoCache cache = MongoCache.builder().build()) {
            var e = assertThrows(IllegalArgumentException.class, () -> cache.wrap((com.mongodb.client.MongoCollection<?>) null));
            assertTrue(e.getMessage().contains("collection"), e.getMessage());
        }
    }

    @Test
    void shouldRejectBadKeyPrefix() {
        assertMessage("keyPrefix", () -> MongoCache.builder().keyPrefix("a{b}"));
        assertMessage("keyPrefix", () -> MongoCache.builder().keyPrefix(""));
    }

    @Test
    void shouldMaskCredentialsInConfigToString() {
        try (MongoCache cache = MongoCache.builder().redis("redis://app:hunter2@127.0.0.1:1")
                .redisTimeout(Duration.ofMillis(50)).build()) {
            String text = cache.config().toString();
            assertFalse(text.contains("hunter2"), text);
            assertTrue(text.contains("app:****@"), text);
        }
    }

    private static void assertMessage(String parameter, org.junit.jupiter.api.function.Executable call) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(parameter), "expected '" + parameter + "' first in: " + e.getMessage());
    }
}

package io.mongocache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongocache.MongoCache;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Validation of the builder, on a local-only cache (no server needed). */
class MongoCacheMetricsBuilderTest {
    private final MongoCache cache = MongoCache.builder().maxTrackedNamespaces(10).build();

    @AfterEach
    void close() {
        cache.close();
    }

    private static void assertRefused(String expectedInMessage, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void shouldRefuseBadSettingsNamingTheParameterAndTheRule() {
        MongoCacheMetrics.Builder builder = MongoCacheMetrics.builder(cache);
        assertRefused("cache must not be null", () -> MongoCacheMetrics.builder(null));
        assertRefused("name must not be blank", () -> builder.name(" "));
        assertRefused("namespaceTags must be between 0 and the cache's maxTrackedNamespaces (10) but was 11",
                () -> builder.namespaceTags(11));
        assertRefused("namespaceTags must be between 0", () -> builder.namespaceTags(-1));
        assertRefused("poolTags must be >= 0 but was -1", () -> builder.poolTags(-1));
        assertRefused("snapshotMaxAge must be zero or positive", () -> builder.snapshotMaxAge(Duration.ofMillis(-1)));
        assertRefused("tags must be key/value pairs, but 3 strings were given", () -> builder.tags("a", "b", "c"));
        assertRefused("tags must not use the key 'namespace'", () -> builder.tags("namespace", "x"));
        assertRefused("tags must not use the key 'cache'", () -> builder.tags("cache", "x"));
    }

    @Test
    void shouldRefusePoolTagsWithoutPoolsAtBuild() {
        assertRefused("poolTags(5) was set but no pools were given",
                () -> MongoCacheMetrics.builder(cache).poolTags(5).build());
    }

    @Test
    void shouldRefuseToBindTheSameCacheNameTwiceToOneRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MongoCacheMetrics.builder(cache).name("main").build().bindTo(registry);
        MongoCacheMetrics.builder(cache).name("other").build().bindTo(registry);
        MongoCacheMetrics.builder(cache).name("main").tags("region", "eu").build().bindTo(registry);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MongoCacheMetrics.builder(cache).name("other").build().bindTo(registry));
        assertTrue(e.getMessage().contains("a cache named 'other'"), e.getMessage());
        assertEquals(3, registry.find("cache.puts").meters().size());
    }
}

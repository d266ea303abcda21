package io.mongocache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongocache.MongoCache;
import org.junit.jupiter.api.Test;

/**
 * The promise of the optional dependencies: with {@code mongocache-core} alone on the class path (the Surefire
 * execution {@code cache-core-alone} leaves pooling and coordination out and sets {@code mongocache.cacheCoreAlone}),
 * the binder's classes load, bind and read. Skipped in the other executions, which have both modules.
 */
class MetricsWithCacheCoreAloneTest {

    @Test
    void shouldLoadBindAndReadWithoutThePoolingAndCoordinationModules() throws Exception {
        assumeTrue(Boolean.getBoolean("mongocache.cacheCoreAlone"), "only in the cache-core-alone execution");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.mongocache.pooling.MongoPools"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.mongocache.coordination.Coordinator"));
        // What a framework does with a MeterBinder bean: reflect over its members.
        MongoCacheMetrics.class.getDeclaredFields();
        MongoCacheMetrics.class.getDeclaredMethods();
        MongoCacheMetrics.class.getDeclaredConstructors();

        try (MongoCache cache = MongoCache.builder().build()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MongoCacheMetrics.builder(cache).name("alone").namespaceTags(5).build().bindTo(registry);
            registry.getMeters().forEach(m -> m.measure().forEach(Measurement::getValue));
            assertEquals(1.0, registry.get("mongocache.local.trusted").gauge().value());
            assertFalse(registry.find("cache.gets").meters().isEmpty());
            assertEquals(0, registry.find("mongocache.coordinator.leader").meters().size());
            assertEquals(0, registry.find("mongocache.pool.connections").meters().size());
        }
    }
}

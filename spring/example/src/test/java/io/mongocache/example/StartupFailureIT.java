package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.MongoCache;
import io.mongocache.spring.boot.CachingMongoDatabaseFactory;
import io.mongocache.spring.boot.InvalidMongoCachePropertyException;
import io.mongocache.testing.TestMongo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * Bad {@code mongocache.*} values stop the application at start-up with Spring Boot's failure analysis naming the
 * property and the rule, never a password; {@code mongocache.enabled=false} leaves the application uncached.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureIT {

    private static Map<String, Object> properties(String key, Object value) {
        Map<String, Object> p = new LinkedHashMap<>(ExampleFixtures.properties(
                TestMongo.uniqueDatabaseName("startup"), "startup"));
        p.put("server.port", "0");
        p.put(key, value);
        return p;
    }

    /** Runs the example with {@code properties} as command-line arguments (they win over application.properties). */
    static ConfigurableApplicationContext run(Map<String, Object> properties) {
        return new SpringApplicationBuilder(ExampleApplication.class).run(properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    private static InvalidMongoCachePropertyException failure(Map<String, Object> properties) {
        Exception e = assertThrows(Exception.class,
                () -> run(properties).close());
        Throwable t = e;
        while (t != null && !(t instanceof InvalidMongoCachePropertyException)) {
            t = t.getCause();
        }
        assertNotNull(t, "expected an invalid property, got " + e);
        return assertInstanceOf(InvalidMongoCachePropertyException.class, t);
    }

    @Test
    void shouldNameThePropertyAndTheRuleOfABadDuration(CapturedOutput output) {
        InvalidMongoCachePropertyException e = failure(properties("mongocache.default-ttl", "0s"));
        assertTrue(e.property().equals("mongocache.default-ttl"), e.property());
        assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
        assertTrue(output.getOut().contains("APPLICATION FAILED TO START")
                || output.getErr().contains("APPLICATION FAILED TO START"), "Boot printed its failure analysis");
        assertTrue(output.toString().contains("mongocache.default-ttl"), "the analysis names the property");
    }

    @Test
    void shouldNeverShowTheRedisPasswordOfABadUri(CapturedOutput output) {
        InvalidMongoCachePropertyException e = failure(properties("mongocache.redis.uri",
                "redis://admin:s3cretPa55@127.0.0.1:notaport"));
        assertTrue(e.property().equals("mongocache.redis.uri"), e.property());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("s3cretPa55"), "a message showed the password: " + t);
        }
        assertFalse(output.toString().contains("s3cretPa55"), "the printed analysis showed the password");
        assertTrue(output.toString().contains("mongocache.redis.uri"));
    }

    @Test
    void shouldRefuseStandaloneAndClusterTogetherAndAMixedWatchScope() {
        Map<String, Object> both = properties("mongocache.redis.cluster", "redis://127.0.0.1:7000");
        assertTrue(failure(both).getMessage().contains("not both"));
        Map<String, Object> mixed = properties("mongocache.coordinator.watch", "shop,shop.orders");
        assertTrue(failure(mixed).property().equals("mongocache.coordinator.watch"));
        assertTrue(failure(properties("mongocache.pools.databases.reports.max-connections", "0")).property()
                .startsWith("mongocache.pools.databases.reports"));
    }

    @Test
    void shouldLeaveTheApplicationUncachedWhenDisabled() {
        try (ConfigurableApplicationContext context = run(properties("mongocache.enabled", "false"))) {
            assertTrue(context.getBeansOfType(MongoCache.class).isEmpty());
            assertFalse(context.getBean(MongoDatabaseFactory.class) instanceof CachingMongoDatabaseFactory);
            assertNotNull(context.getBean(ProductRepository.class).findAll());
        }
    }
}

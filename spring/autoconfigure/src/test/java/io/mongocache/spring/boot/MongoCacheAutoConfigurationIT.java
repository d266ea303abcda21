package io.mongocache.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.pooling.MongoPools;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Which beans the auto-configuration creates for which properties, and that each backs off for the application's
 * own — against the tests' MongoDB, local-only (no Redis), without a web server.
 */
class MongoCacheAutoConfigurationIT {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, DataMongoAutoConfiguration.class,
                    MongoCacheAutoConfiguration.class))
            .withPropertyValues("spring.mongodb.uri=" + TestMongo.connectionString(),
                    "spring.mongodb.database=" + TestMongo.uniqueDatabaseName("autoconf"));

    @Test
    void shouldCreateACacheAndWrapTheDatabaseFactoryButNoPoolsOrCoordinatorByDefault() {
        runner.withPropertyValues("mongocache.default-ttl=42s", "mongocache.max-local-bytes=2MB").run(context -> {
            MongoCache cache = context.getBean(MongoCache.class);
            assertEquals(Duration.ofSeconds(42), cache.config().defaultTtl());
            assertEquals(2L * 1024 * 1024, cache.config().maxLocalBytes());
            assertInstanceOf(CachingMongoDatabaseFactory.class, context.getBean(MongoDatabaseFactory.class));
            assertTrue(context.getBeansOfType(MongoPools.class).isEmpty());
            assertTrue(context.getBeansOfType(Coordinator.class).isEmpty());
            MongoTemplate template = context.getBean(MongoTemplate.class);
            template.insert(new org.bson.Document("_id", 1), "things");
            template.findById(1, org.bson.Document.class, "things");
            template.findById(1, org.bson.Document.class, "things");
            assertTrue(cache.stats().totals().l1Hits() >= 1, "the template's second read was a hit");
        });
    }

    @Test
    void shouldCreatePoolsWhenSeparatePoolsAreConfiguredAndServeSpringDataFromThem() {
        java.util.concurrent.atomic.AtomicLong inserts = new java.util.concurrent.atomic.AtomicLong();
        runner.withPropertyValues("mongocache.pools.databases.reports.max-connections=3")
                .withBean("countInserts", org.springframework.boot.mongodb.autoconfigure
                        .MongoClientSettingsBuilderCustomizer.class, () -> b -> b.addCommandListener(
                                new com.mongodb.event.CommandListener() {
                                    @Override
                                    public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                                        if (event.getCommandName().equals("insert")) {
                                            inserts.incrementAndGet();
                                        }
                                    }
                                }))
                .run(context -> {
                    MongoPools pools = context.getBean(MongoPools.class);
                    assertEquals(java.util.Set.of("reports"), pools.pools().separate());
                    MongoTemplate template = context.getBean(MongoTemplate.class);
                    template.insert(new org.bson.Document("_id", 1), "things");
                    assertEquals(1, template.count(new org.springframework.data.mongodb.core.query.Query(),
                            "things"));
                    assertEquals(1, inserts.get(), "the pools' client carries the application's customizers");
                });
    }

    @Test
    void shouldBackOffForTheApplicationsOwnCache() {
        runner.withUserConfiguration(OwnCache.class).run(context -> {
            assertSame(context.getBean("ownCache"), context.getBean(MongoCache.class));
            CachingMongoDatabaseFactory factory = (CachingMongoDatabaseFactory) context.getBean(
                    MongoDatabaseFactory.class);
            assertFalse(factory.unwrap() instanceof CachingMongoDatabaseFactory, "wrapped exactly once");
        });
    }

    @Test
    void shouldConfigureNothingWhenDisabled() {
        runner.withPropertyValues("mongocache.enabled=false").run(context -> {
            assertTrue(context.getBeansOfType(MongoCache.class).isEmpty());
            assertFalse(context.getBean(MongoDatabaseFactory.class) instanceof CachingMongoDatabaseFactory);
        });
    }

    @Test
    void shouldStartACoordinatorForAWatchScope() {
        runner.withPropertyValues("mongocache.coordinator.watch=shop", "mongocache.coordinator.require-change-streams="
                + TestMongo.realMongo(), "mongocache.coordinator.state-database="
                + TestMongo.uniqueDatabaseName("state")).run(context -> {
                    Coordinator coordinator = context.getBean(Coordinator.class);
                    assertEquals(java.util.List.of(), coordinator.health().problems().stream()
                            .filter(p -> p.contains("fenced")).toList());
                    assertTrue(coordinator.nodeId().length() > 0);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCache {
        @Bean(destroyMethod = "close")
        MongoCache ownCache(MongoClient client) {
            return MongoCache.builder().databases(client).build();
        }
    }
}

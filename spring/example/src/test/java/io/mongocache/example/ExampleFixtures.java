package io.mongocache.example;

import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The real servers the example's tests run against, as Spring properties, and the command counter. */
final class ExampleFixtures {
    private ExampleFixtures() {}

    /** Properties for one application on the tests' MongoDB and Redis, in {@code database}, keys under {@code prefix}. */
    static Map<String, Object> properties(String database, String prefix) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("spring.mongodb.uri", TestMongo.connectionString());
        p.put("spring.mongodb.database", database);
        p.put("mongocache.redis.uri", TestRedis.uri());
        p.put("mongocache.key-prefix", prefix);
        p.put("management.endpoints.web.exposure.include", "health,mongocache,metrics");
        p.put("management.endpoint.health.show-details", "always");
        return p;
    }

    /** A plain Spring bean whose methods carry the annotations: they apply to any bean, not only repositories. */
    public static class HintedBean {
        @io.mongocache.spring.boot.NoCache
        public boolean insideNoCache() {
            return io.mongocache.CacheHints.noCacheActive();
        }

        @io.mongocache.spring.boot.CacheTtl("45s")
        public java.time.Duration insideCacheTtl() {
            return io.mongocache.CacheHints.currentTtl();
        }

        public boolean unannotated() {
            return io.mongocache.CacheHints.noCacheActive() || io.mongocache.CacheHints.currentTtl() != null;
        }
    }

    /** Adds a {@link CommandCounter} to the application's MongoClient. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Counting {
        @Bean
        CommandCounter commandCounter() {
            return new CommandCounter();
        }

        @Bean
        HintedBean hintedBean() {
            return new HintedBean();
        }

        @Bean
        MongoClientSettingsBuilderCustomizer countCommands(CommandCounter counter) {
            return builder -> builder.addCommandListener(counter);
        }
    }
}

package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.mongodb.client.MongoClient;
import io.mongocache.MongoCache;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application's own {@code MongoCache} bean replaces the starter's (and Spring Data uses it); with its clock
 * under the test's control, {@code @CacheTtl("30s")} results expire after 30 seconds while others live the default
 * five minutes.
 */
@SpringBootTest
@Import(OwnCacheIT.Clocked.class)
class OwnCacheIT {
    static final AtomicLong NANOS = new AtomicLong();
    private static final String DATABASE = TestMongo.uniqueDatabaseName("owncache");

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ExampleFixtures.properties(DATABASE, "own-" + DATABASE).forEach((k, v) -> registry.add(k, () -> v));
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocked {
        @Bean(destroyMethod = "close")
        MongoCache clockedCache(MongoClient client) {
            return MongoCache.builder().databases(client).nanoClock(NANOS::get).defaultTtl(Duration.ofMinutes(5))
                    .build();
        }
    }

    @Autowired MongoCache cache;
    @Autowired ProductRepository repository;
    @Autowired MongoTemplate template;

    @Test
    void shouldExpireCacheTtlResultsAfterTheirTtlAndOthersAfterTheDefault() {
        assertSame(cache, ((io.mongocache.spring.boot.CachingMongoDatabaseFactory) template.getMongoDatabaseFactory())
                .cache());
        repository.saveAll(List.of(new Product("c1", "cheap", "misc", 5, 0)));
        assertEquals(1, repository.findByPriceLessThan(10).size());           // @CacheTtl("30s")
        assertEquals(1, repository.findByCategoryOrderByPriceAsc("misc").size()); // default 5 min
        // A write the cache cannot see: straight to MongoDB.
        ((io.mongocache.spring.boot.CachingMongoDatabaseFactory) template.getMongoDatabaseFactory()).unwrap()
                .getMongoDatabase().getCollection("products").updateOne(new org.bson.Document("_id", "c1"),
                        new org.bson.Document("$set", new org.bson.Document("price", 50)));
        NANOS.addAndGet(Duration.ofSeconds(31).toNanos());
        assertEquals(0, repository.findByPriceLessThan(10).size(), "the 30 s result expired and was reloaded");
        assertEquals(5, repository.findByCategoryOrderByPriceAsc("misc").get(0).price(),
                "the default-TTL result is still cached");
        NANOS.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(50, repository.findByCategoryOrderByPriceAsc("misc").get(0).price());
        template.updateFirst(Query.query(Criteria.where("_id").is("c1")), new Update().set("price", 6), Product.class);
        assertEquals(1, repository.findByPriceLessThan(10).size(), "a write through Spring Data still invalidates");
    }
}

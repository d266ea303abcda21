package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two application contexts of the example on one MongoDB and one Redis behave as two nodes behind a load balancer:
 * a write through either one's repository or template stops being served by the other's cache within
 * {@code maxStaleness}, for point reads and for queries.
 */
class TwoNodesIT {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(2);
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;

    @BeforeEach
    void start() {
        String database = TestMongo.uniqueDatabaseName("twonodes");
        Map<String, Object> properties = new java.util.LinkedHashMap<>(ExampleFixtures.properties(database,
                "two-" + database));
        properties.put("mongocache.max-staleness", MAX_STALENESS.toMillis() + "ms");
        properties.put("server.port", "0");
        a = StartupFailureIT.run(properties);
        b = StartupFailureIT.run(properties);
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void shouldStopServingAnotherNodesOverwrittenValueWithinMaxStaleness() throws Exception {
        ProductRepository ra = a.getBean(ProductRepository.class);
        ProductRepository rb = b.getBean(ProductRepository.class);
        assertNotSame(a.getBean(MongoCache.class), b.getBean(MongoCache.class));
        ra.saveAll(List.of(new Product("p1", "apple", "fruit", 120, 0), new Product("p2", "pear", "fruit", 90, 0)));
        // b caches both reads
        assertEquals(120, rb.findById("p1").orElseThrow().price());
        assertEquals(2, rb.findByCategoryOrderByPriceAsc("fruit").size());
        assertEquals(120, rb.findById("p1").orElseThrow().price());

        ra.save(new Product("p1", "apple", "fruit", 130, 1));
        Await.until(() -> rb.findById("p1").orElseThrow().price() == 130, MAX_STALENESS,
                "node b serves node a's repository write");

        a.getBean(org.springframework.data.mongodb.core.MongoTemplate.class).remove(
                org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is("p2")), Product.class);
        Await.until(() -> rb.findByCategoryOrderByPriceAsc("fruit").size() == 1, MAX_STALENESS,
                "node b's category query drops the document node a's template removed");
        assertEquals(List.of("p1"), rb.findByCategoryOrderByPriceAsc("fruit").stream().map(Product::id).toList());
    }
}

package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import io.mongocache.testing.TestMongo;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring Data with a {@code ClientSession}: reads bypass the cache (they must see the session's own writes), writes
 * invalidate; with a replica set, {@code @Transactional} writes invalidate again after the commit.
 */
@SpringBootTest
@Import(ExampleFixtures.Counting.class)
class SessionsIT {
    private static final String DATABASE = TestMongo.uniqueDatabaseName("sessions");

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ExampleFixtures.properties(DATABASE, "ses-" + DATABASE).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("example.transactions", TestMongo::supportsTransactions);
    }

    @Autowired MongoTemplate template;
    @Autowired ProductRepository repository;
    @Autowired MongoClient client;
    @Autowired MongoCache cache;
    @Autowired CommandCounter commands;
    @Autowired org.springframework.context.ApplicationContext context;

    @BeforeEach
    void products() {
        repository.deleteAll();
        repository.saveAll(List.of(new Product("s1", "salt", "pantry", 10, 0),
                new Product("s2", "sugar", "pantry", 20, 0)));
    }

    private NamespaceStats stats() {
        return cache.stats().namespace(DATABASE + ".products");
    }

    @Test
    void shouldBypassTheCacheForSessionReadsAndInvalidateSessionWrites() {
        assumeTrue(TestMongo.supportsSessions(), "the server has no sessions");
        repository.findById("s1");
        long finds = commands.count("find", "products");
        repository.findById("s1");
        assertEquals(finds, commands.count("find", "products"), "without a session the read is cached");
        try (ClientSession session = client.startSession()) {
            MongoTemplate t = template.withSession(session);
            long before = commands.count("find", "products");
            t.findById("s1", Product.class);
            t.findById("s1", Product.class);
            t.updateFirst(Query.query(Criteria.where("_id").is("s1")), new Update().set("price", 11), Product.class);
            long bypassed = commands.count("find", "products") - before;
            assertEquals(2, bypassed, "both session reads went to MongoDB");
        }
        assertEquals(11, repository.findById("s1").orElseThrow().price(), "the session's write invalidated s1");
    }

    @Test
    void shouldInvalidateTransactionalWritesAgainAfterTheCommit() {
        assumeTrue(TestMongo.supportsTransactions(), "transactions need a replica set (MONGODB_URI or Docker)");
        assertEquals(2, repository.findByCategoryOrderByPriceAsc("pantry").size());
        long invalidations = stats().invalidations();
        assertEquals(2, context.getBean(ProductService.class).recategorize("pantry", "kitchen"));
        assertTrue(stats().invalidations() >= invalidations + 2, "once when written, once after the commit: "
                + stats());
        assertEquals(0, repository.findByCategoryOrderByPriceAsc("pantry").size());
        assertEquals(2, repository.findByCategoryOrderByPriceAsc("kitchen").size());
    }
}

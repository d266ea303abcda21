package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.CacheHints;
import io.mongocache.MongoCache;
import io.mongocache.spring.boot.CachingMongoDatabaseFactory;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example service in a real Spring Boot application context with a web server, against the tests' MongoDB and
 * Redis: repository and template reads are served from the cache (the server's command counts prove it), writes
 * through both invalidate, the annotations steer reads, and the health contributor and endpoint answer over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ExampleFixtures.Counting.class)
class ExampleApplicationIT {
    private static final String DATABASE = TestMongo.uniqueDatabaseName("example");

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ExampleFixtures.properties(DATABASE, "ex-" + DATABASE).forEach((k, v) -> registry.add(k, () -> v));
    }

    @Autowired ProductRepository repository;
    @Autowired MongoTemplate template;
    @Autowired MongoDatabaseFactory factory;
    @Autowired MongoCache cache;
    @Autowired CommandCounter commands;
    @Autowired Environment environment;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void products() {
        repository.deleteAll();
        repository.saveAll(List.of(new Product("p1", "apple", "fruit", 120, 0),
                new Product("p2", "avocado", "fruit", 250, 0), new Product("p3", "bread", "bakery", 300, 0)));
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        String port = environment.getProperty("local.server.port");
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Document json(String method, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return Document.parse(response.body());
    }

    @Test
    void shouldWrapTheApplicationsDatabaseFactory() {
        assertInstanceOf(CachingMongoDatabaseFactory.class, factory);
    }

    @Test
    void shouldServeARepeatedRepositoryReadFromTheCache() throws Exception {
        assertEquals(120, json("GET", "/products/p1").getInteger("price"));
        long finds = commands.count("find", "products");
        for (int i = 0; i < 5; i++) {
            assertEquals(120, json("GET", "/products/p1").getInteger("price"));
        }
        assertEquals(finds, commands.count("find", "products"), "five more reads of p1 sent no find to MongoDB");
        repository.findByCategoryOrderByPriceAsc("fruit");
        long afterList = commands.count("find", "products");
        assertEquals(List.of("p1", "p2"), repository.findByCategoryOrderByPriceAsc("fruit").stream()
                .map(Product::id).toList());
        assertEquals(afterList, commands.count("find", "products"), "the derived query was served from the cache");
        repository.countByCategory("fruit");
        long counts = commands.count("aggregate", "products") + commands.count("count", "products");
        assertEquals(2, repository.countByCategory("fruit"));
        assertEquals(counts, commands.count("aggregate", "products") + commands.count("count", "products"));
    }

    @Test
    void shouldInvalidateWritesThroughTheTemplateAndTheRepository() throws Exception {
        assertEquals(120, json("GET", "/products/p1").getInteger("price"));
        Document updated = json("PUT", "/products/p1/price?price=99");
        assertEquals(1, updated.getInteger("version"));
        assertEquals(99, json("GET", "/products/p1").getInteger("price"), "template findAndModify invalidated p1");

        assertEquals(2, repository.findByCategoryOrderByPriceAsc("fruit").size());
        repository.save(new Product("p4", "banana", "fruit", 80, 0));
        assertEquals(List.of("p4", "p1", "p2"), repository.findByCategoryOrderByPriceAsc("fruit").stream()
                .map(Product::id).toList(), "repository save invalidated the category query");

        assertEquals(200, send("DELETE", "/products/p4").statusCode() / 100 * 100);
        assertEquals(404, send("GET", "/products/p4").statusCode());
        assertEquals(2, repository.countByCategory("fruit"));
    }

    @Test
    void shouldBypassTheCacheInNoCacheMethodsOnly() {
        repository.findByNameStartingWith("a");
        long before = commands.count("find", "products");
        assertEquals(2, repository.findByNameStartingWith("a").size());
        assertEquals(2, repository.findByNameStartingWith("a").size());
        assertEquals(before + 2, commands.count("find", "products"), "@NoCache reads go to MongoDB every time");
        assertFalse(CacheHints.noCacheActive(), "the scope closed with the method");
        repository.findByPriceLessThan(200);
        long cached = commands.count("find", "products");
        repository.findByPriceLessThan(200);
        assertEquals(cached, commands.count("find", "products"), "@CacheTtl reads are cached");
    }

    @Test
    void shouldApplyTheAnnotationsToAnySpringBean(@Autowired ExampleFixtures.HintedBean bean) {
        assertTrue(bean.insideNoCache(), "@NoCache opened a scope around a plain bean's method");
        assertEquals(java.time.Duration.ofSeconds(45), bean.insideCacheTtl());
        assertFalse(bean.unannotated(), "no scope around an unannotated method");
        assertFalse(CacheHints.noCacheActive(), "and none left open afterwards");
    }

    @Test
    void shouldReportHealthAndStatisticsAndFlushOverHttp() throws Exception {
        Document health = json("GET", "/actuator/health/mongocache");
        assertEquals("UP", health.getString("status"), health.toJson());
        Document details = health.get("details", Document.class);
        assertEquals(true, details.get("redis", Document.class).getBoolean("available"));
        assertEquals(true, details.get("channel", Document.class).getBoolean("localTierTrusted"));

        json("GET", "/products/p2");
        Document report = json("GET", "/actuator/mongocache");
        Document stats = report.get("stats", Document.class);
        assertTrue(stats.get("namespaces", Document.class).containsKey(DATABASE + ".products"), report.toJson());
        assertTrue(stats.getBoolean("redisAvailable"));

        long finds = commands.count("find", "products");
        json("GET", "/products/p2");
        assertEquals(finds, commands.count("find", "products"));
        Document flushed = json("DELETE", "/actuator/mongocache/" + DATABASE + ".products");
        assertEquals(DATABASE + ".products", flushed.getString("flushed"));
        json("GET", "/products/p2");
        assertEquals(finds + 1, commands.count("find", "products"), "the flush made the next read go to MongoDB");
        assertEquals(400, send("DELETE", "/actuator/mongocache/a$b.c").statusCode());
    }

    private double meter(String name, String... tags) throws Exception {
        StringBuilder path = new StringBuilder("/actuator/metrics/" + name);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        Document meter = json("GET", path.toString());
        return meter.getList("measurements", Document.class).get(0).get("value", Number.class).doubleValue();
    }

    @Test
    void shouldPublishTheDocumentedMetersAndMoveThemAsTheCacheWorks() throws Exception {
        double hits = meter("cache.gets", "result:hit", "tier:l1", "cache:mongocache");
        double misses = meter("cache.gets", "result:miss", "tier:l1");
        double puts = meter("cache.puts");
        double sent = meter("mongocache.invalidations");
        json("GET", "/products/p3");
        json("GET", "/products/p3");
        // Meters read a shared statistics snapshot at most a second old: await, do not sample once.
        awaitMeter("an L1 hit counted", () -> meter("cache.gets", "result:hit", "tier:l1", "cache:mongocache")
                >= hits + 1);
        awaitMeter("the first read missed", () -> meter("cache.gets", "result:miss", "tier:l1") >= misses + 1);
        awaitMeter("and loaded", () -> meter("cache.puts") >= puts + 1);
        awaitMeter("the local tier holds entries", () -> meter("cache.size") >= 1);
        assertEquals(1.0, meter("mongocache.redis.available"));
        assertEquals(1.0, meter("mongocache.local.trusted"));
        json("PUT", "/products/p3/price?price=301");
        awaitMeter("the write sent an invalidation", () -> meter("mongocache.invalidations") >= sent + 1);
        awaitMeter("the load timer counted", () -> meter("mongocache.loads") >= 1);
    }

    private interface MeterCheck {
        boolean holds() throws Exception;
    }

    private static void awaitMeter(String what, MeterCheck check) throws InterruptedException {
        Await.until(() -> {
            try {
                return check.holds();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, java.time.Duration.ofSeconds(10), what);
    }

    @Test
    void shouldMatchRawReadsAfterEveryRandomRepositoryOrTemplateWrite() {
        MongoTemplate raw = new MongoTemplate(((CachingMongoDatabaseFactory) factory).unwrap());
        java.util.Random r = new java.util.Random(7);
        List<String> categories = List.of("fruit", "bakery", "dairy");
        for (int step = 0; step < 300; step++) {
            int n = r.nextInt(20);
            String id = "d" + n;
            String category = categories.get(r.nextInt(categories.size()));
            // Prices are unique per product, so a sort by price has no ties to order differently.
            long price = r.nextInt(1000) * 100L + n;
            switch (r.nextInt(5)) {
                case 0 -> repository.save(new Product(id, "n" + n, category, price, step));
                case 1 -> repository.deleteById(id);
                case 2 -> template.updateFirst(org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(id)),
                        new org.springframework.data.mongodb.core.query.Update().set("category", category), Product.class);
                default -> { } // a read-only step
            }
            String at = "step " + step;
            assertEquals(raw.findById(id, Product.class), repository.findById(id).orElse(null), at + " findById " + id);
            org.springframework.data.mongodb.core.query.Query byCategory = org.springframework.data.mongodb.core.query
                    .Query.query(org.springframework.data.mongodb.core.query.Criteria.where("category").is(category))
                    .with(org.springframework.data.domain.Sort.by("price"));
            assertEquals(raw.find(byCategory, Product.class), repository.findByCategoryOrderByPriceAsc(category),
                    at + " findByCategoryOrderByPriceAsc " + category);
            assertEquals(raw.count(byCategory, Product.class), repository.countByCategory(category),
                    at + " countByCategory " + category);
        }
    }

    @Test
    void shouldMatchAnUncachedTemplateOperationByOperation() {
        MongoTemplate raw = new MongoTemplate(((CachingMongoDatabaseFactory) factory).unwrap());
        TemplateOracle.run(template, raw, 42L, 400);
        assertTrue(cache.stats().totals().l1Hits() > 0, "the oracle's reads were served from the cache too");
    }
}

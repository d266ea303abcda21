package io.mongocache.benchmarks.cluster.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.bson.Document;

/**
 * The example service's product API as the demo's clients call it, through the balancer or one node: each read's
 * answer is checked by the {@link FreshnessChecker}, each write's answer acknowledged to it.
 *
 * <p>Products of the main database are {@code /products/{id}}, those of a tenant database
 * {@code /tenants/{db}/products/{id}}; the checker knows a product as {@code db/id}.
 */
final class ProductApi {
    private final HttpClient http;
    private final String mainDatabase;
    private final FreshnessChecker checker;
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    ProductApi(HttpClient http, String mainDatabase, FreshnessChecker checker) {
        this.http = http;
        this.mainDatabase = mainDatabase;
        this.checker = checker;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    static String key(String database, String id) {
        return database + "/" + id;
    }

    private String products(String base, String database) {
        return database.equals(mainDatabase) ? base + "/products" : base + "/tenants/" + database + "/products";
    }

    /**
     * Reads one product and checks its version.
     *
     * @return the version answered, or empty when the request failed (not 200)
     */
    OptionalLong read(String base, String database, String id, Duration timeout, String source)
            throws IOException, InterruptedException {
        long sent = System.nanoTime();
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, database) + "/" + id))
                .timeout(timeout).GET().build());
        if (response.statusCode() != 200) {
            return OptionalLong.empty();
        }
        long version = version(Document.parse(response.body()));
        checker.check(key(database, id), version, sent, source + " via " + base);
        return OptionalLong.of(version);
    }

    /**
     * Lists a category of the main database and checks every product's version.
     *
     * @return how many products it answered, or -1 when the request failed
     */
    int list(String base, String category, Duration timeout) throws IOException, InterruptedException {
        long sent = System.nanoTime();
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, mainDatabase)
                + "?category=" + category)).timeout(timeout).GET().build());
        if (response.statusCode() != 200) {
            return -1;
        }
        List<Document> products = Document.parse("{\"list\":" + response.body() + "}").getList("list", Document.class);
        checkAll(products, sent, "list via " + base);
        return products.size();
    }

    /**
     * A category's summary through an aggregation: checks every product's version.
     *
     * @return how many products it counted, or -1 when the request failed
     */
    int summary(String base, String category, Duration timeout) throws IOException, InterruptedException {
        long sent = System.nanoTime();
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, mainDatabase)
                + "/summary?category=" + category)).timeout(timeout).GET().build());
        if (response.statusCode() != 200) {
            return -1;
        }
        Document summary = Document.parse(response.body());
        checkAll(summary.getList("products", Document.class), sent, "aggregation via " + base);
        return ((Number) summary.get("count")).intValue();
    }

    /**
     * A write by filter: bumps the versions of a category's products below a price; acknowledges each product's
     * answered version with {@code bound}.
     *
     * @return false when the request failed (its outcome unknown)
     */
    boolean reprice(String base, String category, long below, Duration timeout, long boundNanos)
            throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, mainDatabase)
                + "/reprice?category=" + category + "&below=" + below)).timeout(timeout)
                .PUT(HttpRequest.BodyPublishers.noBody()).build());
        long acknowledged = System.nanoTime();
        if (response.statusCode() != 200) {
            return false;
        }
        for (Document product : Document.parse(response.body()).getList("products", Document.class)) {
            checker.acknowledged(key(mainDatabase, product.getString("id")), version(product), acknowledged,
                    boundNanos, "reprice via " + base);
        }
        return true;
    }

    /** Counts a category of the main database; -1 when the request failed. */
    long count(String base, String category, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, mainDatabase)
                + "/count?category=" + category)).timeout(timeout).GET().build());
        if (response.statusCode() != 200) {
            return -1;
        }
        return ((Number) Document.parse(response.body()).get("count")).longValue();
    }

    /**
     * Sets a product's price through the service (which bumps its version) and acknowledges the answered version
     * with {@code bound}.
     *
     * @return the new version, or empty when the request failed (its outcome unknown)
     */
    OptionalLong write(String base, String database, String id, long price, Duration timeout, long boundNanos)
            throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(products(base, database) + "/" + id
                + "/price?price=" + price)).timeout(timeout).PUT(HttpRequest.BodyPublishers.noBody()).build());
        long acknowledged = System.nanoTime();
        if (response.statusCode() != 200) {
            return OptionalLong.empty();
        }
        long version = version(Document.parse(response.body()));
        checker.acknowledged(key(database, id), version, acknowledged, boundNanos, "PUT via " + base);
        return OptionalLong.of(version);
    }

    /** Requests sent so far, answered or not. */
    long requests() {
        return requests.get();
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        requests.incrementAndGet();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Checks the version of every product of the main database an answer listed ({@code id}, {@code version}). */
    private void checkAll(List<Document> products, long sent, String source) {
        for (Document product : products) {
            checker.check(key(mainDatabase, product.getString("id")), version(product), sent, source);
        }
    }

    private static long version(Document product) {
        return ((Number) product.get("version")).longValue();
    }
}

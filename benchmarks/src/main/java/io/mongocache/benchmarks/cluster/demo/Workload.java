package io.mongocache.benchmarks.cluster.demo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bson.Document;

/**
 * What the demo's clients ask the service: the request mix, and the data it runs on — products in the main
 * database ({@code /products}) and in a few tenant databases ({@code /tenants/{db}/products}), each with
 * {@code version} 0 to start with.
 *
 * @param name as given with {@code -Ddemo.workload}
 * @param weights relative weights of the operations, indexed by {@link Operation#ordinal()}
 */
record Workload(String name, int[] weights) {
    static final int PRODUCTS = 2_000;
    static final int TENANT_PRODUCTS = 500;
    static final int CATEGORIES = 20;
    static final double ZIPF_SKEW = 0.99;

    /** The kinds of request the load generator sends. */
    enum Operation {
        /** {@code GET /products/{id}}: the version is checked. */
        READ_BY_ID,
        /** {@code GET /products?category=}: every product's version is checked. */
        LIST_CATEGORY,
        /** {@code GET /products/count?category=}: the count must equal the seeded one (nothing moves products). */
        COUNT_CATEGORY,
        /** {@code PUT /products/{id}/price}: the answered version is an acknowledged write. */
        WRITE_BY_ID,
        /** {@code GET /tenants/{db}/products/{id}}. */
        TENANT_READ,
        /** {@code PUT /tenants/{db}/products/{id}/price}. */
        TENANT_WRITE,
        /** {@code GET /products/summary?category=}: an aggregation; its count and every version are checked. */
        AGGREGATE_CATEGORY,
        /** {@code PUT /products/reprice?category=&below=}: a write by filter; every answered version acknowledged. */
        WRITE_BY_FILTER
    }

    /** The mixes {@code -Ddemo.workload} names. */
    static Workload named(String name) {
        // Weights in the order of Operation: by id, list, count, write, tenant read, tenant write, aggregation,
        // write by filter (in per mille).
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "read-mostly" -> new Workload("read-mostly", new int[] {580, 100, 50, 50, 180, 20, 15, 5});
            case "balanced" -> new Workload("balanced", new int[] {390, 80, 40, 190, 180, 90, 20, 10});
            case "read-only" -> new Workload("read-only", new int[] {640, 100, 50, 0, 200, 0, 10, 0});
            default -> throw new IllegalArgumentException(
                    "demo.workload must be read-mostly, balanced or read-only but was " + name);
        };
    }

    Operation pick(double uniform) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        double point = uniform * total;
        int sum = 0;
        for (Operation operation : Operation.values()) {
            sum += weights[operation.ordinal()];
            if (point < sum) {
                return operation;
            }
        }
        return Operation.READ_BY_ID;
    }

    /** E.g. {@code 60% read by id, 10% list by category, …}. */
    String describe() {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        String[] names = {"read by id", "list by category", "count by category", "write by id",
            "tenant read by id", "tenant write by id", "aggregation by category", "write by filter"};
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                parts.add(String.format(Locale.ROOT, "%.1f%% %s", 100.0 * weights[i] / total, names[i]));
            }
        }
        return String.join(", ", parts);
    }

    static String productId(int index) {
        return String.format(Locale.ROOT, "p%04d", index);
    }

    static String category(int index) {
        return String.format(Locale.ROOT, "c%02d", index % CATEGORIES);
    }

    /** How many products of the main database a category holds. */
    static long categorySize(int category) {
        return PRODUCTS / CATEGORIES + (category < PRODUCTS % CATEGORIES ? 1 : 0);
    }

    /** Drops and fills the main and tenant databases. */
    static void seed(MongoClient client, String database, List<String> tenants) {
        fill(client.getDatabase(database).getCollection("products"), PRODUCTS);
        for (String tenant : tenants) {
            fill(client.getDatabase(tenant).getCollection("products"), TENANT_PRODUCTS);
        }
    }

    private static void fill(MongoCollection<Document> products, int count) {
        products.drop();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new Document("_id", productId(i)).append("name", "product " + i).append("category", category(i))
                    .append("price", 100L + i % 900).append("version", 0L));
        }
        products.insertMany(batch);
    }
}

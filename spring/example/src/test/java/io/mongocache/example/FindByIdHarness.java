package io.mongocache.example;

import io.mongocache.CacheHints;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the starter saves a Spring application: {@code repository.findById} served by the cache (an L1 hit) against
 * the same call uncached ({@code CacheHints.noCache}) in the same application, same run, same document. MongoDB runs
 * in its own process (the in-process server as a child JVM, or {@code MONGODB_URI}), Redis is a private
 * {@code redis-server}. Warm-up first, then alternating measured rounds; prints the medians and the ratio.
 *
 * <p>Run: {@code mvn -B -q -pl spring/example -am test-compile -DskipTests} then
 * {@code mvn -B -q -pl spring/example exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.mongocache.example.FindByIdHarness}. It lives beside the example's tests because it needs the
 * application; it asserts nothing.
 */
public final class FindByIdHarness {
    private FindByIdHarness() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        String external = System.getenv("MONGODB_URI");
        MongoServerProcess mongo = external == null ? MongoServerProcess.start("512m") : null;
        try (RedisServer redis = RedisServer.start()) {
            String uri = external != null ? external : mongo.connectionString();
            try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ExampleApplication.class)
                    .run("--spring.mongodb.uri=" + uri, "--spring.mongodb.database=harness",
                            "--mongocache.redis.uri=" + redis.uri(), "--server.port=0",
                            "--logging.level.root=WARN", "--spring.main.banner-mode=off")) {
                ProductRepository repository = app.getBean(ProductRepository.class);
                repository.deleteAll();
                repository.save(new Product("h1", "harness", "bench", 1, 0));
                List<Double> hit = new ArrayList<>();
                List<Double> uncached = new ArrayList<>();
                // warm-up: both paths, JIT and connections
                measure(repository, calls / 2, false);
                measure(repository, calls / 20, true);
                for (int r = 0; r < rounds; r++) {
                    hit.add(measure(repository, calls, false));
                    uncached.add(measure(repository, Math.max(200, calls / 20), true));
                }
                double h = median(hit);
                double u = median(uncached);
                System.out.printf(Locale.ROOT, "repository.findById, median of %d rounds (MongoDB %s):%n", rounds,
                        external != null ? "MONGODB_URI" : "in-process server in its own JVM");
                System.out.printf(Locale.ROOT, "  cached (L1 hit) %8.2f us/op%n", h);
                System.out.printf(Locale.ROOT, "  uncached        %8.2f us/op%n", u);
                System.out.printf(Locale.ROOT, "  cached / uncached = %.3f (%.1fx faster)%n", h / u, u / h);
            }
        } finally {
            if (mongo != null) {
                mongo.close();
            }
        }
        System.exit(0);
    }

    /** Mean microseconds per {@code findById} over {@code n} calls. */
    private static double measure(ProductRepository repository, int n, boolean uncached) {
        long start = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += uncached ? CacheHints.noCache(() -> repository.findById("h1")).orElseThrow().price()
                    : repository.findById("h1").orElseThrow().price();
        }
        long elapsed = System.nanoTime() - start;
        if (sink != n) {
            throw new IllegalStateException("read the wrong document: " + sink);
        }
        return elapsed / 1000.0 / n;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}

package io.mongocache.benchmarks.cluster.demo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.benchmarks.demo.Zipf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Supplier;
import org.bson.Document;

/**
 * A batch job writing behind the cache's back, and the invalidation-lag probe.
 *
 * <p>Taking turns: an <em>outside write</em> — {@code updateOne} with the raw driver bumping a product's
 * {@code version} ({@link #compareAndBump}), acknowledged to the checker with the outside bound — and a <em>write through the cache</em>
 * ({@code PUT} to one node, acknowledged with {@code maxStaleness}). After each, every node is asked directly until
 * each serves the new version: the time from the acknowledgement to the last node serving it is that write's
 * invalidation lag (nodes that do not answer — killed, frozen — are left out of that sample). Those reads are
 * checked like all others.
 */
final class OutsideWriter {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(300);

    private final MongoClient client;
    private final ProductApi api;
    private final FreshnessChecker checker;
    private final List<String> databases;
    private final Supplier<List<ExampleNode>> nodes;
    private final long outsideBoundNanos;
    private final long cacheBoundNanos;
    private final Duration interval;
    private final List<Double> outsideLagMillis = new ArrayList<>();
    private final List<Double> cacheLagMillis = new ArrayList<>();
    private Thread thread;
    private volatile boolean running = true;
    private long outsideWrites;

    OutsideWriter(MongoClient client, ProductApi api, FreshnessChecker checker, List<String> databases,
            Supplier<List<ExampleNode>> nodes, Duration outsideBound, Duration maxStaleness, Duration interval) {
        this.client = client;
        this.api = api;
        this.checker = checker;
        this.databases = List.copyOf(databases);
        this.nodes = nodes;
        this.outsideBoundNanos = outsideBound.toNanos();
        this.cacheBoundNanos = maxStaleness.toNanos();
        this.interval = interval;
    }

    void start(long seed) {
        thread = new Thread(() -> loop(new Random(seed)), "demo-outside-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Random random) {
        Zipf main = new Zipf(Workload.PRODUCTS, Workload.ZIPF_SKEW);
        Zipf tenant = new Zipf(Workload.TENANT_PRODUCTS, Workload.ZIPF_SKEW);
        boolean outside = true;
        while (running) {
            long started = System.nanoTime();
            int which = random.nextInt(databases.size());
            String database = databases.get(which);
            String id = Workload.productId(which == 0 ? main.sample(random) : tenant.sample(random));
            try {
                if (outside) {
                    long version = compareAndBump(database, id, 100L + random.nextInt(900));
                    long acknowledged = System.nanoTime();
                    checker.acknowledged(ProductApi.key(database, id), version, acknowledged, outsideBoundNanos,
                            "outside write");
                    record(outsideLagMillis, awaitEveryNode(database, id, version, acknowledged, outsideBoundNanos),
                            true);
                } else {
                    List<ExampleNode> live = nodes.get();
                    ExampleNode writer = live.get(random.nextInt(live.size()));
                    OptionalLong version = api.write(writer.baseUri(), database, id, 100 + random.nextInt(900),
                            Duration.ofSeconds(2), cacheBoundNanos);
                    if (version.isPresent()) {
                        record(cacheLagMillis, awaitEveryNode(database, id, version.getAsLong(), System.nanoTime(),
                                cacheBoundNanos), false);
                    }
                }
            } catch (IOException | RuntimeException skipped) {
                // A node or MongoDB unreachable during a fault: no sample this time.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            outside = !outside;
            long rest = interval.toNanos() - (System.nanoTime() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(rest / 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Bumps the product's version with {@code updateOne} guarded by the version just read, so the version this write
     * made is known exactly (a concurrent writer makes it retry). Not {@code findOneAndUpdate}: the in-process
     * server's oplog does not record findAndModify, so no change stream would see the write.
     */
    private long compareAndBump(String database, String id, long price) {
        MongoCollection<Document> products = client.getDatabase(database).getCollection("products");
        while (true) {
            long seen = products.find(eq("_id", id)).first().getLong("version");
            if (products.updateOne(and(eq("_id", id), eq("version", seen)),
                    combine(inc("version", 1L), set("price", price))).getModifiedCount() == 1) {
                return seen + 1;
            }
        }
    }

    private synchronized void record(List<Double> lags, double lagMillis, boolean outside) {
        if (outside) {
            outsideWrites++;
        }
        if (!Double.isNaN(lagMillis)) {
            lags.add(lagMillis);
        }
    }

    /** Milliseconds from the acknowledgement until every answering node serves {@code version}; NaN if none did. */
    private double awaitEveryNode(String database, String id, long version, long acknowledged, long boundNanos)
            throws InterruptedException {
        List<ExampleNode> waiting = new ArrayList<>(nodes.get());
        boolean anyAnswered = false;
        long deadline = acknowledged + boundNanos + 1_000_000_000L;
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            for (ExampleNode node : List.copyOf(waiting)) {
                try {
                    OptionalLong seen = api.read(node.baseUri(), database, id, POLL_TIMEOUT, "lag probe");
                    if (seen.isEmpty()) {
                        waiting.remove(node);
                    } else if (seen.getAsLong() >= version) {
                        anyAnswered = true;
                        waiting.remove(node);
                    }
                } catch (IOException notAnswering) {
                    waiting.remove(node);
                }
            }
            if (!waiting.isEmpty()) {
                Thread.sleep(2);
            }
        }
        return anyAnswered && waiting.isEmpty() ? (System.nanoTime() - acknowledged) / 1e6 : Double.NaN;
    }

    void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
        }
    }

    synchronized long outsideWrites() {
        return outsideWrites;
    }

    synchronized List<Double> outsideLagMillis() {
        return List.copyOf(outsideLagMillis);
    }

    synchronized List<Double> cacheLagMillis() {
        return List.copyOf(cacheLagMillis);
    }
}

package io.mongocache.benchmarks.cluster.demo;

import io.mongocache.benchmarks.demo.Zipf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients of the service: a few threads sending the {@link Workload}'s mix through the balancer as fast as it
 * answers, products chosen zipfian (a few hot, a long tail), a main database and a few tenant databases. Every
 * answer is checked ({@link ProductApi}); every latency recorded ({@link Recorder}).
 *
 * <p>Concurrency: {@link #start} starts the threads, {@link #stop} ends them after their request in flight.
 */
final class LoadGenerator {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ProductApi api;
    private final String balancer;
    private final Workload workload;
    private final String mainDatabase;
    private final List<String> tenants;
    private final Recorder recorder;
    private final long writeBoundNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong wrongCounts = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean running = true;

    LoadGenerator(ProductApi api, String balancer, Workload workload, String mainDatabase, List<String> tenants,
            Recorder recorder, Duration maxStaleness) {
        this.api = api;
        this.balancer = balancer;
        this.workload = workload;
        this.mainDatabase = mainDatabase;
        this.tenants = List.copyOf(tenants);
        this.recorder = recorder;
        this.writeBoundNanos = maxStaleness.toNanos();
    }

    void start(int threadCount, long seed) {
        for (int i = 0; i < threadCount; i++) {
            Random random = new Random(seed + i);
            Thread thread = new Thread(() -> loop(random), "demo-load-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void loop(Random random) {
        Zipf products = new Zipf(Workload.PRODUCTS, Workload.ZIPF_SKEW);
        Zipf tenantProducts = new Zipf(Workload.TENANT_PRODUCTS, Workload.ZIPF_SKEW);
        while (running) {
            Workload.Operation operation = workload.pick(random.nextDouble());
            long sent = System.nanoTime();
            try {
                boolean ok = switch (operation) {
                    case READ_BY_ID -> api.read(balancer, mainDatabase, Workload.productId(products.sample(random)),
                            TIMEOUT, "read by id").isPresent();
                    case LIST_CATEGORY -> api.list(balancer, Workload.category(random.nextInt(Workload.CATEGORIES)),
                            TIMEOUT) >= 0;
                    case COUNT_CATEGORY -> count(random.nextInt(Workload.CATEGORIES));
                    case WRITE_BY_ID -> api.write(balancer, mainDatabase, Workload.productId(products.sample(random)),
                            100 + random.nextInt(900), TIMEOUT, writeBoundNanos).isPresent();
                    case TENANT_READ -> api.read(balancer, tenants.get(random.nextInt(tenants.size())),
                            Workload.productId(tenantProducts.sample(random)), TIMEOUT, "tenant read").isPresent();
                    case TENANT_WRITE -> api.write(balancer, tenants.get(random.nextInt(tenants.size())),
                            Workload.productId(tenantProducts.sample(random)), 100 + random.nextInt(900), TIMEOUT,
                            writeBoundNanos).isPresent();
                    case AGGREGATE_CATEGORY -> aggregate(random.nextInt(Workload.CATEGORIES));
                    case WRITE_BY_FILTER -> api.reprice(balancer, Workload.category(random.nextInt(Workload.CATEGORIES)),
                            150 + random.nextInt(100), TIMEOUT, writeBoundNanos);
                };
                if (ok) {
                    recorder.record(sent, System.nanoTime() - sent);
                    boolean write = operation == Workload.Operation.WRITE_BY_ID
                            || operation == Workload.Operation.TENANT_WRITE
                            || operation == Workload.Operation.WRITE_BY_FILTER;
                    (write ? writes : reads).incrementAndGet();
                } else {
                    recorder.error();
                }
            } catch (IOException failed) {
                recorder.error();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean aggregate(int category) throws IOException, InterruptedException {
        int count = api.summary(balancer, Workload.category(category), TIMEOUT);
        if (count >= 0 && count != Workload.categorySize(category)) {
            wrongCounts.incrementAndGet();
        }
        return count >= 0;
    }

    private boolean count(int category) throws IOException, InterruptedException {
        long count = api.count(balancer, Workload.category(category), TIMEOUT);
        if (count >= 0 && count != Workload.categorySize(category)) {
            wrongCounts.incrementAndGet();
        }
        return count >= 0;
    }

    /** Counts that differed from the seeded size of their category (no write moves products between them). */
    long wrongCounts() {
        return wrongCounts.get();
    }

    long reads() {
        return reads.get();
    }

    long writes() {
        return writes.get();
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(TIMEOUT.toMillis() + 5_000);
        }
    }
}

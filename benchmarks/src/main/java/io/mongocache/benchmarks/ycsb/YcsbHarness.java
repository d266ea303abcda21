package io.mongocache.benchmarks.ycsb;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongocache.InvalidationMode;
import io.mongocache.MongoCache;
import io.mongocache.NamespaceStats;
import io.mongocache.benchmarks.RedisCommandStats;
import io.mongocache.benchmarks.RedissonPeer;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.LatencyProxyProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.bson.RawBsonDocument;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/**
 * YCSB's {@code CoreWorkload} A, B, C, D and F against four variants measured in the same run — the raw driver,
 * the Redisson near-cache peer ({@link RedissonPeer}), and {@code CachedCollection} with synchronous and with
 * asynchronous invalidation — on loopback and through a simulated same-zone network (MongoDB and Redis each behind
 * a latency proxy in a process of its own, {@link LatencyProxyProcess}, adding a fixed latency each way). MongoDB
 * runs in its own process ({@link MongoServerProcess}), Redis is a private {@code redis-server}.
 *
 * <p>Every proportion is set explicitly (CoreWorkload's defaults would add 5 % updates to any workload): A 50 %
 * reads / 50 % updates, B 95/5, C 100 % reads, D 95 % reads / 5 % inserts with the "latest" distribution, F 50 %
 * reads / 50 % read-modify-writes; zipfian requests otherwise, 10 fields of 100 bytes (~1.1 KB records). Each run
 * reloads the records, warms up (for the warm-up time and at least twice as many operations as records, so the
 * caches are warm also where the network makes operations slow), then measures throughput and per-operation
 * latency (mean, p50, p99).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.ycsb.YcsbHarness [records=10000]
 * [warmup=5] [seconds=15] [threads=2,8] [workloads=A,B,C,D,F] [variants=RAW,PEER,CACHE_SYNC,CACHE_ASYNC]
 * [networks=loopback,250us]}.
 */
public final class YcsbHarness {

    /** One measured run. */
    public record Run(String network, String workload, int threads, YcsbDb.Variant variant, double opsPerSecond,
            Map<Latencies.Kind, Latencies.Summary> latencies, double hitRatio) {}

    private static final Map<String, String[]> WORKLOADS = new LinkedHashMap<>();

    static {
        // readproportion, updateproportion, insertproportion, readmodifywriteproportion, requestdistribution
        WORKLOADS.put("A", new String[] {"0.5", "0.5", "0", "0", "zipfian"});
        WORKLOADS.put("B", new String[] {"0.95", "0.05", "0", "0", "zipfian"});
        WORKLOADS.put("C", new String[] {"1", "0", "0", "0", "zipfian"});
        WORKLOADS.put("D", new String[] {"0.95", "0", "0.05", "0", "latest"});
        WORKLOADS.put("F", new String[] {"0.5", "0", "0", "0.5", "zipfian"});
    }

    /** CoreWorkload with its key naming exposed, so the records can be bulk-loaded exactly as it names them. */
    private static final class Workload extends CoreWorkload {
        String key(long n) {
            return buildKeyName(n);
        }
    }

    private YcsbHarness() {}

    /** Every variant, in report order. */
    public static YcsbDb.Variant[] variants() {
        return YcsbDb.Variant.values();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("records", "10000");
        options.put("warmup", "5");
        options.put("seconds", "15");
        options.put("threads", "2,8");
        options.put("workloads", "A,B,C,D,F");
        options.put("variants", "RAW,PEER,CACHE_SYNC,CACHE_ASYNC");
        options.put("networks", "loopback,250us");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0 || !options.containsKey(arg.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + options.keySet());
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        List<Run> runs = run(Integer.parseInt(options.get("records")),
                Duration.ofSeconds(Long.parseLong(options.get("warmup"))),
                Duration.ofSeconds(Long.parseLong(options.get("seconds"))),
                parseInts(options.get("threads")), List.of(options.get("workloads").split(",")),
                parseVariants(options.get("variants")), List.of(options.get("networks").split(",")));
        System.out.println(report(runs));
        System.exit(0);
    }

    private static List<Integer> parseInts(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    private static List<YcsbDb.Variant> parseVariants(String csv) {
        List<YcsbDb.Variant> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(YcsbDb.Variant.valueOf(s.trim()));
        }
        return out;
    }

    /** Runs every combination; {@code networks}: "loopback", or a one-way latency such as "250us" or "1ms". */
    public static List<Run> run(int records, Duration warmup, Duration measure, List<Integer> threadCounts,
            List<String> workloads, List<YcsbDb.Variant> variants, List<String> networks) throws Exception {
        Properties base = new Properties();
        base.setProperty("measurementtype", "histogram");
        Measurements.setProperties(base);
        List<Run> runs = new ArrayList<>();
        try (MongoServerProcess mongo = MongoServerProcess.start("3g", false); RedisServer redis = RedisServer.start()) {
            for (String network : networks) {
                Duration latency = latency(network);
                try (LatencyProxyProcess mongoLink = latency.isZero() ? null : LatencyProxyProcess.start(mongo.port(),
                        latency); LatencyProxyProcess redisLink = latency.isZero() ? null
                                : LatencyProxyProcess.start(redis.port(), latency)) {
                    String mongoUri = mongoLink == null ? mongo.connectionString()
                            : "mongodb://127.0.0.1:" + mongoLink.port();
                    String redisUri = redisLink == null ? redis.uri() : "redis://127.0.0.1:" + redisLink.port();
                    try (MongoClient client = MongoClients.create(mongoUri)) {
                        for (String workload : workloads) {
                            for (int threads : threadCounts) {
                                for (YcsbDb.Variant variant : variants) {
                                    Run r = measure(network, workload, threads, variant, client, redisUri, records,
                                            warmup, measure, serverPids(mongo, redis, mongoLink, redisLink), redis.uri());
                                    runs.add(r);
                                    System.err.println(line(r));
                                }
                            }
                        }
                    }
                }
            }
        }
        return runs;
    }

    /** MongoDB's and Redis' process ids, then the latency proxies' (when the network is simulated). */
    private static long[] serverPids(MongoServerProcess mongo, RedisServer redis,
            @Nullable LatencyProxyProcess mongoLink,
            @Nullable LatencyProxyProcess redisLink) {
        return mongoLink == null || redisLink == null ? new long[] {mongo.pid(), redis.pid()}
                : new long[] {mongo.pid(), redis.pid(), mongoLink.pid(), redisLink.pid()};
    }

    private static Duration latency(String network) {
        if (network.equals("loopback")) {
            return Duration.ZERO;
        }
        if (network.endsWith("us")) {
            return Duration.ofNanos(Long.parseLong(network.substring(0, network.length() - 2)) * 1_000);
        }
        if (network.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(network.substring(0, network.length() - 2)));
        }
        throw new IllegalArgumentException("network must be 'loopback' or a latency like 250us: " + network);
    }

    /** CPU time used so far: this process, then each of {@code pids}; -1 where it cannot be read. */
    private static long[] cpuNanos(long[] pids) {
        long[] out = new long[1 + pids.length];
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        out[0] = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        for (int i = 0; i < pids.length; i++) {
            out[i + 1] = ProcessHandle.of(pids[i]).flatMap(h -> h.info().totalCpuDuration())
                    .map(Duration::toNanos).orElse(-1L);
        }
        return out;
    }

    private static Run measure(String network, String workloadName, int threads, YcsbDb.Variant variant,
            MongoClient client, String redisUri, int records, Duration warmup, Duration measure, long[] serverPids,
            String directRedisUri) throws Exception {
        String[] mix = WORKLOADS.get(workloadName);
        if (mix == null) {
            throw new IllegalArgumentException("unknown workload " + workloadName + "; known: " + WORKLOADS.keySet());
        }
        Properties p = new Properties();
        p.setProperty("recordcount", Integer.toString(records));
        p.setProperty("operationcount", Integer.toString(Integer.MAX_VALUE));
        p.setProperty("fieldcount", "10");
        p.setProperty("fieldlength", "100");
        p.setProperty("readallfields", "true");
        p.setProperty("writeallfields", "false");
        p.setProperty("readproportion", mix[0]);
        p.setProperty("updateproportion", mix[1]);
        p.setProperty("insertproportion", mix[2]);
        p.setProperty("readmodifywriteproportion", mix[3]);
        p.setProperty("scanproportion", "0");
        p.setProperty("requestdistribution", mix[4]);
        p.setProperty("measurementtype", "histogram");
        Workload workload = new Workload();
        workload.init(p);

        MongoCollection<Document> raw = client.getDatabase("ycsb").getCollection("usertable");
        raw.drop();
        load(raw, workload, records);

        MongoCache cache = null;
        RedissonPeer peer = null;
        MongoCollection<Document> collection = raw;
        String run = "ycsb" + Long.toString(System.nanoTime(), 36);
        if (variant == YcsbDb.Variant.CACHE_SYNC || variant == YcsbDb.Variant.CACHE_ASYNC) {
            cache = MongoCache.builder().redis(redisUri).keyPrefix(run).maxLocalBytes(256L << 20)
                    .defaultTtl(Duration.ofMinutes(5)).invalidation(variant == YcsbDb.Variant.CACHE_ASYNC
                            ? InvalidationMode.ASYNC : InvalidationMode.SYNC).build();
            cache.awaitInvalidations(Duration.ofSeconds(10));
            collection = cache.wrap(raw);
        } else if (variant == YcsbDb.Variant.PEER) {
            peer = new RedissonPeer(redisUri, run);
        }
        Latencies latencies = new Latencies();
        try (RedisCommandStats redisStats = new RedisCommandStats(directRedisUri)) {
            YcsbDb db = new YcsbDb(variant, collection, raw.withDocumentClass(RawBsonDocument.class), peer, latencies);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean counting = new AtomicBoolean();
            LongAdder ops = new LongAdder();
            LongAdder warmupOps = new LongAdder();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Object state = workload.initThread(p, t, threads);
                Thread worker = new Thread(() -> {
                    while (!stop.get()) {
                        workload.doTransaction(db, state);
                        if (counting.get()) {
                            ops.increment();
                        } else {
                            warmupOps.increment();
                        }
                    }
                }, "ycsb-" + t);
                workers.add(worker);
                worker.start();
            }
            Thread.sleep(warmup.toMillis());
            long warmupDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (warmupOps.sum() < 2L * records && System.nanoTime() < warmupDeadline) {
                Thread.sleep(100);
            }
            NamespaceStats before = cache == null ? NamespaceStats.EMPTY : cache.stats().totals();
            if (peer != null) {
                peer.resetCounts();
            }
            redisStats.reset();
            latencies.recording(true);
            counting.set(true);
            long[] cpuBefore = cpuNanos(serverPids);
            long start = System.nanoTime();
            Thread.sleep(measure.toMillis());
            counting.set(false);
            long[] cpuAfter = cpuNanos(serverPids);
            latencies.recording(false);
            RedisCommandStats.Window redisWindow = redisStats.read();
            double seconds = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }
            // CPU per operation: this JVM (the workload threads, the driver, the cache, Lettuce), MongoDB's and
            // Redis' processes. On two shared vCPUs, their sum decides the throughput.
            long measured = Math.max(1, ops.sum());
            System.err.printf(Locale.ROOT, "  %s %s %d threads %s: CPU µs per operation: client %.1f, MongoDB %.1f,"
                    + " Redis %.1f%n", network, workloadName, threads, variant,
                    (cpuAfter[0] - cpuBefore[0]) / 1e3 / measured, (cpuAfter[1] - cpuBefore[1]) / 1e3 / measured,
                    (cpuAfter[2] - cpuBefore[2]) / 1e3 / measured);
            if (serverPids.length == 4) {
                // The simulated network's own CPU (a real network costs these hosts none): it shares the two vCPUs.
                System.err.printf(Locale.ROOT, "  %s %s %d threads %s: CPU µs per operation of the latency proxies:"
                        + " MongoDB's %.1f, Redis' %.1f%n", network, workloadName, threads, variant,
                        (cpuAfter[3] - cpuBefore[3]) / 1e3 / measured, (cpuAfter[4] - cpuBefore[4]) / 1e3 / measured);
            }
            // What each operation asked of Redis (commands and Redis' own execution time) and in how many socket
            // reads it arrived: the part of the cache's cost that scheduling noise does not move.
            System.err.printf(Locale.ROOT, "  %s %s %d threads %s: Redis per operation: %.2f socket reads, %s%n",
                    network, workloadName, threads, variant, (double) redisWindow.reads() / measured,
                    String.join("; ", redisWindow.perOperation(measured)));
            double hitRatio;
            if (cache != null) {
                NamespaceStats d = cache.stats().totals().minus(before);
                long hits = d.l1Hits() + d.l2Hits();
                hitRatio = hits + d.loads() == 0 ? 0 : (double) hits / (hits + d.loads());
                // Where the misses went: answered by Redis, looked up there in vain, or not asked (right after this
                // node's own write, or while its write was still on its way to Redis).
                System.err.printf(Locale.ROOT, "  %s %s %d threads %s: l1 hits %d, l2 hits %d, l2 misses %d, loads %d,"
                        + " l2 skipped %d, l2 errors %d%n", network, workloadName, threads, variant, d.l1Hits(),
                        d.l2Hits(), d.l2Misses(), d.loads(), d.l2Skipped(), d.l2Errors());
            } else {
                hitRatio = peer != null ? peer.hitRatio() : 0;
            }
            return new Run(network, workloadName, threads, variant, ops.sum() / seconds, latencies.summaries(),
                    hitRatio);
        } finally {
            if (cache != null) {
                cache.close();
            }
            if (peer != null) {
                peer.close();
            }
        }
    }

    /** The records CoreWorkload's load phase would insert (its key names, 10 fields of 100 characters), in bulk. */
    private static void load(MongoCollection<Document> raw, Workload workload, int records) {
        List<Document> batch = new ArrayList<>(1000);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[100];
        for (long k = 0; k < records; k++) {
            Document doc = new Document("_id", workload.key(k));
            for (int f = 0; f < 10; f++) {
                for (int c = 0; c < chars.length; c++) {
                    chars[c] = (char) (' ' + random.nextInt(95));
                }
                doc.append("field" + f, new String(chars));
            }
            batch.add(doc);
            if (batch.size() == 1000) {
                raw.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            raw.insertMany(batch);
        }
    }

    private static String line(Run r) {
        Latencies.Summary read = r.latencies().get(Latencies.Kind.READ);
        Latencies.Summary write = r.latencies().get(Latencies.Kind.UPDATE).count() > 0
                ? r.latencies().get(Latencies.Kind.UPDATE) : r.latencies().get(Latencies.Kind.INSERT);
        return String.format(Locale.ROOT, "| %s | %s | %d | %s | %,.0f | %.1f / %.1f / %.1f | %s | %.3f |", r.network(),
                r.workload(), r.threads(), r.variant(), r.opsPerSecond(), read.meanMicros(), read.p50Micros(),
                read.p99Micros(), write.count() == 0 ? "-" : String.format(Locale.ROOT, "%.1f / %.1f / %.1f",
                        write.meanMicros(), write.p50Micros(), write.p99Micros()), r.hitRatio());
    }

    /** The runs as Markdown: every run, then each cache variant's ratios to the raw driver and the peer. */
    public static String report(List<Run> runs) {
        StringBuilder out = new StringBuilder();
        out.append("| network | workload | threads | variant | ops/s | read µs mean / p50 / p99 "
                + "| write µs mean / p50 / p99 | hit ratio |\n|---|---|---:|---|---:|---|---|---:|\n");
        for (Run r : runs) {
            out.append(line(r)).append('\n');
        }
        out.append("\n| network | workload | threads | variant | throughput / raw | throughput / peer "
                + "| read mean / raw | read mean / peer |\n|---|---|---:|---|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            if (r.variant() != YcsbDb.Variant.CACHE_SYNC && r.variant() != YcsbDb.Variant.CACHE_ASYNC) {
                continue;
            }
            Run raw = find(runs, r, YcsbDb.Variant.RAW);
            Run peer = find(runs, r, YcsbDb.Variant.PEER);
            double read = r.latencies().get(Latencies.Kind.READ).meanMicros();
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s |%n", r.network(),
                    r.workload(), r.threads(), r.variant(),
                    ratio(raw == null ? Double.NaN : r.opsPerSecond() / raw.opsPerSecond()),
                    ratio(peer == null ? Double.NaN : r.opsPerSecond() / peer.opsPerSecond()),
                    ratio(raw == null ? Double.NaN : read / raw.latencies().get(Latencies.Kind.READ).meanMicros()),
                    ratio(peer == null ? Double.NaN : read / peer.latencies().get(Latencies.Kind.READ).meanMicros())));
        }
        return out.toString();
    }

    private static Run find(List<Run> runs, Run like, YcsbDb.Variant variant) {
        for (Run r : runs) {
            if (r.variant() == variant && r.network().equals(like.network()) && r.workload().equals(like.workload())
                    && r.threads() == like.threads()) {
                return r;
            }
        }
        return null;
    }

    private static String ratio(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f", x);
    }
}

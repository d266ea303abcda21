package io.mongocache.benchmarks.cluster.demo;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongocache.common.Masking;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

/**
 * A cluster you can watch: N nodes of the Spring Boot example behind a load balancer, clients and an outside
 * writer checking every answer, and scripted faults — the leader killed, a node frozen, Redis subscriptions
 * killed, Redis stopped — with a live progress line and a text and HTML report at the end.
 *
 * <p>{@code mvn -B -q -Pcluster-demo -DskipTests package} (from the repository root; it builds the example's
 * executable jar first). Options (system properties): {@code demo.nodes} (3), {@code demo.duration} (seconds of
 * cached load, 120), {@code demo.uncached} (seconds of the uncached comparison run, 30; 0 skips it),
 * {@code demo.workload} ({@code read-mostly}, {@code balanced}, {@code read-only}), {@code demo.threads} (4),
 * {@code demo.short} (true: the short run the tests use), {@code demo.faults} ({@code none} or some of
 * {@code kill-leader,saturate,sigstop,pubsub,redis}). MongoDB is {@code MONGODB_URI} or the in-process server
 * in a JVM of its own; Redis is {@code REDIS_URL} or a private {@code redis-server}.
 *
 * <p>Staleness: every answer's {@code version} is checked ({@link FreshnessChecker}) against writes acknowledged
 * more than their bound before the request was sent — {@code maxStaleness} for writes through the cache; for
 * writes behind its back, the failover bound {@code leaseDuration + 1.2 × retryPeriod + maxStaleness + 1 s}
 * (a new leader replays from the last checkpoint), or, where change streams cannot open, the TTL + 1 s.
 *
 * <p>The report's first line is {@code stale responses beyond bound: N}; the exit code is 1 when N (or a wrong
 * count) is not 0.
 */
public final class ClusterDemo {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(1);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(2);
    private static final Duration RETRY_PERIOD = Duration.ofMillis(500);
    private static final Duration SHORT_TTL = Duration.ofSeconds(5);
    private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(120);
    private static final String MAIN_DATABASE = "mcdemo";
    private static final List<String> TENANTS = List.of("mcdemo_t1", "mcdemo_t2", "mcdemo_t3");
    /** The tenant whose separate pool the saturate fault fills on one node. */
    private static final String SATURATED_TENANT = TENANTS.get(0);
    private static final String STATE_DATABASE = "mcdemo_state";
    /** Seconds after a fault or recovery left out of the "outside fault windows" latencies. */
    private static final int FAULT_WINDOW_SECONDS = 10;

    private ClusterDemo() {}

    /**
     * What to run.
     *
     * @param nodes how many nodes
     * @param duration cached load (the faults are placed in it)
     * @param uncached the uncached comparison run; zero skips it
     * @param workload a {@link Workload#named} mix
     * @param threads client threads
     * @param faults the timeline
     * @param nodeJvmOptions for each node's JVM
     * @param output where the reports and node logs go
     */
    record Options(int nodes, Duration duration, Duration uncached, String workload, int threads,
            List<FaultTimeline.Step> faults, List<String> nodeJvmOptions, Path output) {

        /** The documented run: {@code demo.*} system properties over the defaults. */
        static Options fromSystemProperties(Path output) {
            Options options = Boolean.getBoolean("demo.short") ? shortRun(output) : new Options(
                    Integer.getInteger("demo.nodes", 3),
                    Duration.ofSeconds(Long.getLong("demo.duration", 120)),
                    Duration.ofSeconds(Long.getLong("demo.uncached", 30)),
                    System.getProperty("demo.workload", "read-mostly"), Integer.getInteger("demo.threads", 4),
                    List.of(new FaultTimeline.Step(0.15, FaultTimeline.Fault.KILL_LEADER),
                            new FaultTimeline.Step(0.30, FaultTimeline.Fault.SATURATE_POOL),
                            new FaultTimeline.Step(0.40, FaultTimeline.Fault.PAUSE_NODE),
                            new FaultTimeline.Step(0.55, FaultTimeline.Fault.KILL_PUBSUB),
                            new FaultTimeline.Step(0.70, FaultTimeline.Fault.STOP_REDIS)),
                    List.of("-Xmx256m", "-XX:+UseSerialGC"), output);
            String faults = System.getProperty("demo.faults");
            if (faults == null) {
                return options;
            }
            // demo.faults=none, or a comma-separated subset in timeline order: kill-leader,saturate,sigstop,pubsub,redis.
            List<FaultTimeline.Step> chosen = new ArrayList<>();
            for (FaultTimeline.Step step : options.faults()) {
                if (List.of(faults.split(",")).contains(step.fault().option())) {
                    chosen.add(step);
                }
            }
            return new Options(options.nodes(), options.duration(), options.uncached(), options.workload(),
                    options.threads(), chosen, options.nodeJvmOptions(), options.output());
        }

        /**
         * The short run for tests: 3 nodes, 30 s of load, the leader killed and restarted, one node's tenant pool
         * saturated (its misses delegated), a node frozen, the subscriptions killed; no uncached run; nodes with the C1 compiler only, which starts them faster.
         */
        static Options shortRun(Path output) {
            return new Options(3, Duration.ofSeconds(30), Duration.ZERO, "read-mostly", 3,
                    List.of(new FaultTimeline.Step(0.10, FaultTimeline.Fault.KILL_LEADER),
                            new FaultTimeline.Step(0.30, FaultTimeline.Fault.SATURATE_POOL),
                            new FaultTimeline.Step(0.45, FaultTimeline.Fault.PAUSE_NODE),
                            new FaultTimeline.Step(0.75, FaultTimeline.Fault.KILL_PUBSUB)),
                    List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), output);
        }
    }

    /** What a run produced. */
    record Result(ClusterReport report, Path text, Path html) {}

    public static void main(String[] args) {
        Path root = repositoryRoot();
        int status;
        try {
            Result result = run(Options.fromSystemProperties(root.resolve("benchmarks/target/cluster-demo")));
            status = result.report().staleBeyondBound() == 0 && result.report().wrongCounts() == 0 ? 0 : 1;
        } catch (Exception e) {
            e.printStackTrace();
            status = 2;
        }
        System.exit(status);
    }

    /** Runs the demo and writes {@code report.txt} and {@code report.html} into the output directory. */
    static Result run(Options options) throws Exception {
        Path nodeLogs = options.output().resolve("nodes");
        deleteLogs(nodeLogs);
        Files.createDirectories(nodeLogs.resolve("uncached"));
        Path jar = exampleJar(repositoryRoot());
        Workload workload = Workload.named(options.workload());
        System.out.println();
        System.out.println("mongocache cluster demo — " + options.nodes() + " Spring Boot nodes behind a balancer,"
                + " every answer checked, faults on a timeline");
        System.out.println();
        List<String> setup = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        MongoServerProcess ownMongo = null;
        RedisServer ownRedis = null;
        List<ExampleNode> nodes = new ArrayList<>();
        Map<String, TcpProxy> tenantPools = new LinkedHashMap<>();
        Balancer balancer = null;
        try {
            String mongoUri = System.getenv("MONGODB_URI");
            if (mongoUri == null || mongoUri.isBlank()) {
                ownMongo = MongoServerProcess.start("1g");
                mongoUri = ownMongo.connectionString();
                setup.add("MongoDB : in-process mongo-java-server (in-memory, with oplog) in a JVM of its own at "
                        + mongoUri);
            } else {
                setup.add("MongoDB : MONGODB_URI " + Masking.connectionString(mongoUri));
            }
            String redisUri = System.getenv("REDIS_URL");
            if (redisUri == null || redisUri.isBlank()) {
                ownRedis = RedisServer.start();
                redisUri = ownRedis.uri();
                setup.add("Redis   : a private redis-server at " + redisUri);
            } else {
                setup.add("Redis   : REDIS_URL " + Masking.inText(redisUri));
            }
            try (MongoClient client = MongoClients.create(mongoUri)) {
                Workload.seed(client, MAIN_DATABASE, TENANTS);
                client.getDatabase(STATE_DATABASE).drop();
                boolean changeStreams = changeStreamsOpen(client);
                Duration ttl = changeStreams ? Duration.ofMinutes(5) : SHORT_TTL;
                Duration outsideBound = changeStreams
                        ? LEASE.plus(RETRY_PERIOD.multipliedBy(12).dividedBy(10)).plus(MAX_STALENESS).plusSeconds(1)
                        : ttl.plusSeconds(1);
                Map<String, String> properties = nodeProperties(mongoUri, redisUri, ttl, changeStreams);
                List<Integer> ports = new ArrayList<>();
                for (int i = 1; i <= options.nodes(); i++) {
                    int port = Balancer.freePort();
                    ports.add(port);
                    Map<String, String> own = new LinkedHashMap<>(properties);
                    if (ownMongo != null) {
                        // The first tenant's separate pool (2 connections) reaches MongoDB through a proxy of this
                        // node's own, so the saturate fault can hold its replies; its reads may be delegated.
                        TcpProxy proxy = TcpProxy.raw(ownMongo.port());
                        tenantPools.put("n" + i, proxy);
                        String pool = "mongocache.pools.databases." + SATURATED_TENANT;
                        own.put(pool + ".uri", "mongodb://127.0.0.1:" + proxy.port());
                        own.put(pool + ".max-connections", "2");
                        own.put("mongocache.coordinator.delegate", SATURATED_TENANT);
                    }
                    nodes.add(new ExampleNode("n" + i, port, jar, options.nodeJvmOptions(), own, nodeLogs));
                }
                startAll(nodes);
                balancer = Balancer.start(ports, options.output());
                setup.add("Balancer: " + balancer.description() + " at " + balancer.baseUri());
                setup.add("Nodes   : " + options.nodes() + " × java -jar " + jar.getFileName() + " "
                        + String.join(" ", options.nodeJvmOptions()) + "; maxStaleness " + seconds(MAX_STALENESS)
                        + ", lease " + seconds(LEASE) + " / " + seconds(RENEW_DEADLINE) + " / " + seconds(RETRY_PERIOD)
                        + ", TTL " + seconds(ttl) + ", watching " + MAIN_DATABASE + " and " + TENANTS.size()
                        + " tenant databases" + (changeStreams ? "" : " (change streams cannot open here)"));
                setup.add(String.format(Locale.ROOT, "Workload: %d client threads, %s; %,d products in %s and %,d in"
                        + " each of %s, zipfian (s=%.2f); an outside writer (raw driver) and a write through one node"
                        + " each every 2 s, in turn", options.threads(), workload.describe(), Workload.PRODUCTS,
                        MAIN_DATABASE, Workload.TENANT_PRODUCTS, String.join(", ", TENANTS), Workload.ZIPF_SKEW));
                setup.add("Bounds  : writes through the cache " + seconds(MAX_STALENESS) + " (maxStaleness) after the"
                        + " PUT's answer; outside writes " + seconds(outsideBound) + (changeStreams
                        ? " (lease + 1.2 × retry + maxStaleness + 1 s: a new leader replays from the last checkpoint)"
                        : " (TTL + 1 s: without change streams outside writes are bounded by the TTL only)"));
                setup.forEach(line -> System.out.println("  " + line));
                System.out.println();

                FreshnessChecker checker = new FreshnessChecker();
                System.out.println("Cached run: " + options.duration().toSeconds() + " s of load with the fault timeline");
                Phase cached = runPhase("cached", options, workload, nodes, balancer, client, checker, outsideBound,
                        redisUri, ownRedis, true, tenantPools);
                List<ClusterReport.LatencyRow> latencies = new ArrayList<>();
                List<ClusterReport.CommandRow> commands = new ArrayList<>();
                IntPredicate quiet = second -> cached.events.stream().noneMatch(e -> second >= (int) e.seconds()
                        && second <= e.seconds() + FAULT_WINDOW_SECONDS);
                latencies.add(cached.latency("cached, whole run (faults included)", second -> true));
                latencies.add(cached.latency("cached, outside fault windows", quiet));
                commands.add(new ClusterReport.CommandRow("cached", cached.requests, cached.commands));
                if (!options.uncached().isZero()) {
                    closeAll(nodes);
                    Map<String, String> off = new LinkedHashMap<>(properties);
                    off.put("mongocache.enabled", "false");
                    List<ExampleNode> plain = new ArrayList<>();
                    for (ExampleNode node : nodes) {
                        plain.add(new ExampleNode(node.name(), node.port(), jar, options.nodeJvmOptions(), off,
                                nodeLogs.resolve("uncached")));
                    }
                    nodes.clear();
                    nodes.addAll(plain);
                    startAll(nodes);
                    System.out.println();
                    System.out.println("Uncached run: " + options.uncached().toSeconds()
                            + " s of the same workload, nodes with mongocache.enabled=false, no faults");
                    Options uncachedOptions = new Options(options.nodes(), options.uncached(), Duration.ZERO,
                            options.workload(), options.threads(), List.of(), options.nodeJvmOptions(), options.output());
                    Phase uncached = runPhase("uncached", uncachedOptions, workload, nodes, balancer, client, checker,
                            outsideBound, redisUri, ownRedis, false, Map.of());
                    latencies.add(uncached.latency("uncached (mongocache.enabled=false)", second -> true));
                    commands.add(new ClusterReport.CommandRow("uncached", uncached.requests, uncached.commands));
                } else {
                    notes.add("No uncached comparison run in this mode (demo.uncached=0 or the short run).");
                }
                notes.add("Loopback only: clients, balancer, nodes, MongoDB and Redis share this machine's cores, so"
                        + " latencies are mostly CPU contention and HTTP, not network.");
                if (ownMongo != null) {
                    notes.add("MongoDB is the in-process mongo-java-server: its change events carry no usable"
                            + " document key, so each outside write flushes its collection's cached reads on every node"
                            + " (correct, coarse: it lowers the hit ratio); a real replica set invalidates one"
                            + " document. Its oplog also leaves out findAndModify, so the outside writer uses updateOne.");
                }
                notes.add("Commands per request: the nodes' own driver metrics (mongodb.driver.commands), all"
                        + " commands on the workload databases less change-stream getMores; the coordinator's lease,"
                        + " registry and checkpoints (state database) are left out. A killed node's count is as of the"
                        + " last poll before the kill.");
                notes.add("Invalidation lag is measured by polling every node directly after a write, every 2 ms;"
                        + " nodes that do not answer (killed, frozen) are left out of that sample.");
                ClusterReport report = new ClusterReport(setup, checker.stale(), checker.checked(),
                        cached.wrongCounts, checker.examples(), cached.samples(), cached.events, cached.nodeRows,
                        latencies, List.of(lag("outside write (raw driver) -> every node", cached.outsideLags),
                        lag("write through one node -> every node", cached.cacheLags)), cached.leaderChanges,
                        commands, notes);
                Path text = options.output().resolve("report.txt");
                Path html = options.output().resolve("report.html");
                Files.writeString(text, report.text(), StandardCharsets.UTF_8);
                Files.writeString(html, report.html(), StandardCharsets.UTF_8);
                System.out.println();
                System.out.print(report.text());
                System.out.println();
                System.out.println("Report: " + html.toAbsolutePath() + " (and report.txt)");
                return new Result(report, text, html);
            }
        } finally {
            closeAll(nodes);
            tenantPools.values().forEach(TcpProxy::close);
            if (balancer != null) {
                balancer.close();
            }
            if (ownRedis != null) {
                ownRedis.close();
            }
            if (ownMongo != null) {
                ownMongo.close();
            }
        }
    }

    /** The node logs of an earlier run (the wrapper appends). */
    private static void deleteLogs(Path nodeLogs) throws IOException {
        if (Files.isDirectory(nodeLogs)) {
            try (var files = Files.walk(nodeLogs)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static Map<String, String> nodeProperties(String mongoUri, String redisUri, Duration ttl,
            boolean changeStreams) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.mongodb.uri", mongoUri);
        p.put("spring.mongodb.database", MAIN_DATABASE);
        p.put("mongocache.redis.uri", redisUri);
        p.put("mongocache.key-prefix", "mcdemo-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36)
                .substring(0, 6));
        p.put("mongocache.max-staleness", MAX_STALENESS.toMillis() + "ms");
        p.put("mongocache.default-ttl", ttl.toSeconds() + "s");
        p.put("mongocache.ttl-jitter", "0");
        p.put("mongocache.coordinator.watch", MAIN_DATABASE + "," + String.join(",", TENANTS));
        p.put("mongocache.coordinator.state-database", STATE_DATABASE);
        p.put("mongocache.coordinator.lease-duration", LEASE.toMillis() + "ms");
        p.put("mongocache.coordinator.renew-deadline", RENEW_DEADLINE.toMillis() + "ms");
        p.put("mongocache.coordinator.retry-period", RETRY_PERIOD.toMillis() + "ms");
        p.put("mongocache.coordinator.require-change-streams", Boolean.toString(changeStreams));
        return p;
    }

    /** Whether a change stream opens on the main database (the in-process server has an oplog; a standalone not). */
    private static boolean changeStreamsOpen(MongoClient client) {
        try (MongoChangeStreamCursor<?> cursor = client.getDatabase(MAIN_DATABASE).getCollection("products").watch()
                .cursor()) {
            return true;
        } catch (RuntimeException refused) {
            return false;
        }
    }

    private static void startAll(List<ExampleNode> nodes) throws InterruptedException {
        long started = System.nanoTime();
        System.out.print("Starting " + nodes.size() + " nodes ...");
        System.out.flush();
        nodes.forEach(ExampleNode::start);
        for (ExampleNode node : nodes) {
            node.awaitReady(NODE_START_TIMEOUT);
        }
        System.out.printf(Locale.ROOT, " ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void closeAll(List<ExampleNode> nodes) {
        for (ExampleNode node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                System.err.println("closing " + node.name() + ": " + e);
            }
        }
    }

    /** What one run measured. */
    private static final class Phase {
        Recorder recorder;
        double elapsedSeconds;
        List<ClusterMonitor.Tick> ticks;
        List<ClusterReport.FaultEvent> events = List.of();
        List<ClusterReport.NodeRow> nodeRows;
        List<ClusterReport.LeaderChange> leaderChanges;
        List<Double> outsideLags;
        List<Double> cacheLags;
        long requests;
        long commands;
        long wrongCounts;

        ClusterReport.LatencyRow latency(String name, IntPredicate seconds) {
            int[] sorted = recorder.sorted(0, (int) Math.ceil(elapsedSeconds), seconds);
            int counted = 0;
            for (int s = 0; s < Math.ceil(elapsedSeconds); s++) {
                counted += seconds.test(s) ? 1 : 0;
            }
            return new ClusterReport.LatencyRow(name, sorted.length, recorder.errors(),
                    sorted.length / Math.max(1.0, Math.min(counted, elapsedSeconds)),
                    Recorder.percentileMillis(sorted, 50), Recorder.percentileMillis(sorted, 90),
                    Recorder.percentileMillis(sorted, 99), Recorder.percentileMillis(sorted, 100));
        }

        /** One sample per second: throughput and latency from the recorder, hit ratio and leader from the polls. */
        List<ClusterReport.Sample> samples() {
            List<ClusterReport.Sample> out = new ArrayList<>();
            int whole = (int) Math.floor(elapsedSeconds);
            for (int s = 0; s < whole; s++) {
                int[] sorted = recorder.sorted(s, s + 1, second -> true);
                double hitRatio = Double.NaN;
                String leader = null;
                for (int i = 1; i < ticks.size(); i++) {
                    ClusterMonitor.Tick tick = ticks.get(i);
                    if ((int) tick.seconds() == s) {
                        ClusterMonitor.Tick before = ticks.get(i - 1);
                        long reads = tick.cachedReads() - before.cachedReads();
                        if (reads > 0) {
                            hitRatio = (double) (tick.hits() - before.hits()) / reads;
                        }
                        leader = tick.leader();
                    }
                }
                out.add(new ClusterReport.Sample(s + 0.5, sorted.length, Recorder.percentileMillis(sorted, 50),
                        Recorder.percentileMillis(sorted, 99), hitRatio, leader));
            }
            return out;
        }
    }

    private static Phase runPhase(String name, Options options, Workload workload, List<ExampleNode> nodes,
            Balancer balancer, MongoClient client, FreshnessChecker checker, Duration outsideBound, String redisUri,
            RedisServer ownRedis, boolean withFaults, Map<String, TcpProxy> tenantPools) throws InterruptedException {
        long start = System.nanoTime();
        Phase phase = new Phase();
        phase.recorder = new Recorder(start, (int) options.duration().toSeconds() + 300);
        ProductApi api = new ProductApi(ProductApi.newClient(), MAIN_DATABASE, checker);
        ClusterMonitor monitor = new ClusterMonitor(nodes, STATE_DATABASE, start);
        FaultTimeline timeline = new FaultTimeline(withFaults ? options.faults() : List.of(), options.duration(),
                nodes, monitor, redisUri, ownRedis, MAX_STALENESS, NODE_START_TIMEOUT, start, tenantPools,
                SATURATED_TENANT);
        LoadGenerator load = new LoadGenerator(api, balancer.baseUri(), workload, MAIN_DATABASE, TENANTS,
                phase.recorder, MAX_STALENESS);
        List<String> databases = new ArrayList<>(List.of(MAIN_DATABASE));
        databases.addAll(TENANTS);
        OutsideWriter writer = new OutsideWriter(client, api, checker, databases, timeline::available, outsideBound,
                MAX_STALENESS, Duration.ofSeconds(1));
        Thread progress = new Thread(() -> watch(name, phase.recorder, monitor, timeline, checker, start),
                "demo-progress");
        progress.setDaemon(true);
        progress.start();
        load.start(options.threads(), 42);
        writer.start(7);
        timeline.start();
        Thread.sleep(options.duration().toMillis());
        timeline.awaitDone(NODE_START_TIMEOUT);
        load.stop();
        writer.stop();
        progress.interrupt();
        progress.join(5_000);
        monitor.poll();
        phase.elapsedSeconds = (System.nanoTime() - start) / 1e9;
        phase.ticks = monitor.ticks();
        phase.events = timeline.events();
        phase.nodeRows = monitor.nodeRows();
        phase.leaderChanges = monitor.leaderChanges();
        phase.outsideLags = writer.outsideLagMillis();
        phase.cacheLags = writer.cacheLagMillis();
        phase.requests = api.requests();
        phase.commands = monitor.workloadCommands();
        phase.wrongCounts = load.wrongCounts();
        return phase;
    }

    /** Polls the nodes every second and prints a progress line every two. */
    private static void watch(String name, Recorder recorder, ClusterMonitor monitor, FaultTimeline timeline,
            FreshnessChecker checker, long start) {
        try {
            for (int tick = 1; ; tick++) {
                long next = start + tick * 1_000_000_000L;
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                monitor.poll();
                if (tick % 2 == 0) {
                    int[] last = recorder.sorted(tick - 2, tick - 1, s -> true);
                    List<ClusterMonitor.Tick> ticks = monitor.ticks();
                    String hit = "-";
                    if (ticks.size() >= 3) {
                        ClusterMonitor.Tick now = ticks.get(ticks.size() - 1);
                        ClusterMonitor.Tick before = ticks.get(ticks.size() - 3);
                        long reads = now.cachedReads() - before.cachedReads();
                        if (reads > 0) {
                            hit = String.format(Locale.ROOT, "%.1f%%", 100.0 * (now.hits() - before.hits()) / reads);
                        }
                    }
                    System.out.printf(Locale.ROOT, "[%4d s] %-8s %,6d req/s  p50 %6.2f ms  p99 %7.2f ms  hit %6s"
                            + "  leader %-4s faults %d  stale %d  errors %d%n", tick, name, last.length,
                            Recorder.percentileMillis(last, 50), Recorder.percentileMillis(last, 99), hit,
                            monitor.leader() == null ? "-" : monitor.leader(), timeline.faults(), checker.stale(),
                            recorder.errors());
                }
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private static ClusterReport.LagRow lag(String what, List<Double> millis) {
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return new ClusterReport.LagRow(what, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new ClusterReport.LagRow(what, sorted.length, sorted[(int) Math.ceil(0.5 * sorted.length) - 1],
                sorted[(int) Math.ceil(0.99 * sorted.length) - 1], sorted[sorted.length - 1]);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%s s", d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds())
                : String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0));
    }

    /** The directory holding {@code spring/example/pom.xml}, from the working directory upwards. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("spring/example/pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("run the cluster demo inside the mongocache repository (no spring/example"
                + " above " + Path.of("").toAbsolutePath() + ")");
    }

    /** The example's executable jar, {@code spring/example/target/mongocache-example-*-exec.jar}. */
    static Path exampleJar(Path root) throws IOException {
        Path target = root.resolve("spring/example/target");
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "mongocache-example-*-exec.jar")) {
                for (Path jar : jars) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException("no executable example jar in " + target + "; build it first: mvn -B -q -pl"
                + " spring/example -am package -DskipTests (the cluster-demo profile does)");
    }
}

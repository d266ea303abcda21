package io.mongocache.benchmarks.cluster.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * Asks every node once a second for {@code /actuator/mongocache} (cache counters, whether it leads) and for the
 * MongoDB commands its driver sent ({@code /actuator/metrics/mongodb.driver.commands}), and keeps them per second
 * and per node. A restarted node's counters start again at zero: the last values of its earlier incarnation are
 * carried over (as of the last poll before it died). A node that does not answer within 400 ms (frozen, dead) is
 * left out of that second.
 *
 * <p>Concurrency: {@link #poll} runs on one thread; the getters are synchronized.
 */
final class ClusterMonitor {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private static final String[] COUNTERS = {"l1Hits", "l2Hits", "l1Misses", "loads", "reloads"};

    private final List<ExampleNode> nodes;
    private final String stateDatabase;
    private final long startNanos;
    private final HttpClient http = ProductApi.newClient();
    private final Map<ExampleNode, Counters> counters = new HashMap<>();
    private final List<Tick> ticks = new ArrayList<>();
    private final List<ClusterReport.LeaderChange> leaderChanges = new ArrayList<>();
    private String lastLeader;
    private double lastLeaderSeen;

    /** One node's counters: this incarnation's latest, and the carried-over sum of earlier ones. */
    private static final class Counters {
        int incarnation;
        final long[] base = new long[COUNTERS.length + 1];
        final long[] latest = new long[COUNTERS.length + 1];

        long total(int index) {
            return base[index] + latest[index];
        }
    }

    /** One poll: seconds since the start, cluster-wide hits and cached reads so far, and who leads. */
    record Tick(double seconds, long hits, long cachedReads, String leader) {}

    ClusterMonitor(List<ExampleNode> nodes, String stateDatabase, long startNanos) {
        this.nodes = List.copyOf(nodes);
        this.stateDatabase = stateDatabase;
        this.startNanos = startNanos;
        nodes.forEach(node -> counters.put(node, new Counters()));
    }

    /** Polls every node once, in parallel. */
    void poll() {
        Map<ExampleNode, CompletableFuture<Document>> reports = new LinkedHashMap<>();
        Map<ExampleNode, CompletableFuture<Long>> commands = new LinkedHashMap<>();
        for (ExampleNode node : nodes) {
            reports.put(node, json(node, "/actuator/mongocache"));
            commands.put(node, workloadCommands(node));
        }
        List<String> leaders = new ArrayList<>();
        synchronized (this) {
            for (ExampleNode node : nodes) {
                Document report = reports.get(node).join();
                Long sent = commands.get(node).join();
                Counters c = counters.get(node);
                if (node.incarnation() != c.incarnation) {
                    for (int i = 0; i < c.base.length; i++) {
                        c.base[i] += c.latest[i];
                        c.latest[i] = 0;
                    }
                    c.incarnation = node.incarnation();
                }
                if (report != null) {
                    Document totals = report.get("stats", Document.class).get("totals", Document.class);
                    for (int i = 0; i < COUNTERS.length; i++) {
                        c.latest[i] = ((Number) totals.get(COUNTERS[i])).longValue();
                    }
                    Document coordinator = report.get("coordinator", Document.class);
                    if (coordinator != null && coordinator.get("status", Document.class).getBoolean("leader")) {
                        leaders.add(node.name());
                    }
                }
                if (sent != null) {
                    c.latest[COUNTERS.length] = sent;
                }
            }
            double now = (System.nanoTime() - startNanos) / 1e9;
            String leader = leaders.isEmpty() ? null : String.join("+", leaders);
            if (leader != null) {
                if (lastLeader != null && !leader.equals(lastLeader)) {
                    leaderChanges.add(new ClusterReport.LeaderChange(now, lastLeader, leader, now - lastLeaderSeen));
                }
                lastLeader = leader;
                lastLeaderSeen = now;
            }
            long hits = 0;
            long cachedReads = 0;
            for (Counters c : counters.values()) {
                hits += c.total(0) + c.total(1);
                cachedReads += c.total(0) + c.total(1) + c.total(3) - c.total(4);
            }
            ticks.add(new Tick(now, hits, cachedReads, leader));
        }
    }

    /** The node's {@code /actuator/mongocache} report, asked now; null when it does not answer 200 in time. */
    Document report(ExampleNode node, Duration timeout) {
        return json(node, "/actuator/mongocache", timeout).join();
    }

    /** GET {@code path} on the node as a document; null when it does not answer 200 in time. */
    private CompletableFuture<Document> json(ExampleNode node, String path) {
        return json(node, path, TIMEOUT);
    }

    private CompletableFuture<Document> json(ExampleNode node, String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.baseUri() + path)).timeout(timeout).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? Document.parse(r.body()) : null)
                .completeOnTimeout(null, timeout.toMillis() + 100, TimeUnit.MILLISECONDS)
                .exceptionally(failed -> null);
    }

    /**
     * The node's MongoDB commands for the workload: all commands, less those on the coordinator's state database
     * (lease, registry, checkpoints) and the change streams' {@code getMore}s. Null when it does not answer.
     */
    private CompletableFuture<Long> workloadCommands(ExampleNode node) {
        String metric = "/actuator/metrics/mongodb.driver.commands";
        List<CompletableFuture<Long>> parts = List.of(count(node, metric), count(node, metric + "?tag=database:"
                + stateDatabase), count(node, metric + "?tag=command:getMore"), count(node, metric + "?tag=database:"
                + stateDatabase + "&tag=command:getMore"));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            for (CompletableFuture<Long> part : parts) {
                if (part.join() == null) {
                    return null;
                }
            }
            return parts.get(0).join() - parts.get(1).join() - parts.get(2).join() + parts.get(3).join();
        });
    }

    /** The COUNT of a metric query; 0 when nothing matches the tags (404), null when the node does not answer. */
    private CompletableFuture<Long> count(ExampleNode node, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.baseUri() + path)).timeout(TIMEOUT).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() == 404) {
                return 0L;
            }
            if (r.statusCode() != 200) {
                return (Long) null;
            }
            for (Document m : Document.parse(r.body()).getList("measurements", Document.class)) {
                if ("COUNT".equals(m.getString("statistic"))) {
                    return ((Number) m.get("value")).longValue();
                }
            }
            return 0L;
        }).completeOnTimeout(null, TIMEOUT.toMillis() + 100, TimeUnit.MILLISECONDS).exceptionally(failed -> null);
    }

    synchronized List<Tick> ticks() {
        return List.copyOf(ticks);
    }

    synchronized List<ClusterReport.LeaderChange> leaderChanges() {
        return List.copyOf(leaderChanges);
    }

    /** The current leader as last seen, or null. */
    synchronized String leader() {
        return ticks.isEmpty() ? null : ticks.get(ticks.size() - 1).leader();
    }

    /** Per node: L1 hits, L2 hits, L1 misses, loads, workload commands; summed over incarnations. */
    synchronized List<ClusterReport.NodeRow> nodeRows() {
        List<ClusterReport.NodeRow> rows = new ArrayList<>();
        for (ExampleNode node : nodes) {
            Counters c = counters.get(node);
            rows.add(new ClusterReport.NodeRow(node.name(), c.total(0), c.total(1), c.total(2), c.total(3),
                    node.incarnation() - 1));
        }
        return rows;
    }

    /** MongoDB commands the nodes sent for the workload so far. */
    synchronized long workloadCommands() {
        long sum = 0;
        for (Counters c : counters.values()) {
            sum += c.total(COUNTERS.length);
        }
        return sum;
    }
}

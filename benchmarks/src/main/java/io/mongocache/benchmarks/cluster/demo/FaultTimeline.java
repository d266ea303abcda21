package io.mongocache.benchmarks.cluster.demo;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scripted faults of the cached run, each printed and recorded when it happens. Each step fires at its share of
 * the load's duration, in order:
 *
 * <ul>
 *   <li>{@link Fault#KILL_LEADER}: SIGKILL the node that leads (asked over {@code /actuator/mongocache}) and start it
 *       again at once; "restarted" is recorded when it answers its health endpoint;
 *   <li>{@link Fault#PAUSE_NODE}: SIGSTOP a node that does not lead for 3 × {@code maxStaleness}, then SIGCONT;
 *   <li>{@link Fault#KILL_PUBSUB}: {@code CLIENT KILL TYPE pubsub} — every node's invalidation subscription dropped;
 *   <li>{@link Fault#STOP_REDIS}: stop the demo's own Redis for 3 s and start it again, empty (skipped, and recorded
 *       as skipped, with {@code REDIS_URL}).
 * </ul>
 *
 * <p>Concurrency: the steps run on one thread; restarts on threads of their own. {@link #available()} is what the
 * lag probe may ask: nodes neither down nor frozen.
 */
final class FaultTimeline {
    /** The faults a timeline can script. */
    enum Fault {
        KILL_LEADER("kill-leader"), SATURATE_POOL("saturate"), PAUSE_NODE("sigstop"), KILL_PUBSUB("pubsub"),
        STOP_REDIS("redis");

        private final String option;

        Fault(String option) {
            this.option = option;
        }

        /** Its name in {@code -Ddemo.faults}. */
        String option() {
            return option;
        }
    }

    /** A fault at a share (0..1) of the load's duration. */
    record Step(double at, Fault fault) {}

    private static final Duration REDIS_OUTAGE = Duration.ofSeconds(3);

    private final List<Step> steps;
    private final Duration loadDuration;
    private final List<ExampleNode> nodes;
    private final ClusterMonitor monitor;
    private final String redisUri;
    private final RedisServer ownRedis;
    private final Duration pause;
    private final Duration nodeStartTimeout;
    private final long startNanos;
    private final List<ClusterReport.FaultEvent> events = new ArrayList<>();
    private final Set<ExampleNode> unavailable = ConcurrentHashMap.newKeySet();
    /** Per node name, the proxy in front of its separate pool for {@link #tenant} (empty: no saturate fault). */
    private final Map<String, TcpProxy> tenantPools;
    private final String tenant;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Thread> threads = new ArrayList<>();
    private volatile int faults;

    FaultTimeline(List<Step> steps, Duration loadDuration, List<ExampleNode> nodes, ClusterMonitor monitor,
            String redisUri, RedisServer ownRedis, Duration maxStaleness, Duration nodeStartTimeout, long startNanos,
            Map<String, TcpProxy> tenantPools, String tenant) {
        this.tenantPools = Map.copyOf(tenantPools);
        this.tenant = tenant;
        this.steps = List.copyOf(steps);
        this.loadDuration = loadDuration;
        this.nodes = List.copyOf(nodes);
        this.monitor = monitor;
        this.redisUri = redisUri;
        this.ownRedis = ownRedis;
        this.pause = maxStaleness.multipliedBy(3);
        this.nodeStartTimeout = nodeStartTimeout;
        this.startNanos = startNanos;
    }

    void start() {
        spawn("demo-faults", this::runSteps);
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        synchronized (threads) {
            threads.add(thread);
        }
        thread.start();
    }

    private void runSteps() {
        try {
            for (Step step : steps) {
                long at = startNanos + (long) (step.at() * loadDuration.toNanos());
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                switch (step.fault()) {
                    case KILL_LEADER -> killLeader();
                    case SATURATE_POOL -> saturatePool();
                    case PAUSE_NODE -> pauseNode();
                    case KILL_PUBSUB -> killPubSub();
                    case STOP_REDIS -> stopRedis();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            event("failed", "the timeline stopped: " + e);
        }
    }

    private void killLeader() throws InterruptedException {
        ExampleNode leader = awaitLeader();
        if (leader == null) {
            event("failed", "kill-leader: no single leader seen within 15 s");
            return;
        }
        long pid = leader.pid();
        unavailable.add(leader);
        leader.kill();
        faults++;
        event("kill-leader", "SIGKILL " + leader.name() + " (pid " + pid + "), the leader; starting it again");
        spawn("demo-restart-" + leader.name(), () -> {
            long started = System.nanoTime();
            try {
                leader.start();
                leader.awaitReady(nodeStartTimeout);
                unavailable.remove(leader);
                event("restarted", String.format(Locale.ROOT, "%s answers again (pid %d, %.1f s after its start)",
                        leader.name(), leader.pid(), (System.nanoTime() - started) / 1e9));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                event("failed", "restart of " + leader.name() + ": " + e.getMessage());
            }
        });
    }

    /** The node that leads, asked afresh; waits while none or several claim it. */
    private ExampleNode awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            monitor.poll();
            String leader = monitor.leader();
            for (ExampleNode node : nodes) {
                if (node.name().equals(leader) && !unavailable.contains(node)) {
                    return node;
                }
            }
            Thread.sleep(200);
        }
        return null;
    }

    /**
     * Fills one node's separate pool for {@link #tenant}: its proxy holds MongoDB's replies, two reads take the two
     * connections, and then reads of other products of that tenant sent to that node must be answered by peers over
     * Redis (delegation) while its own pool is saturated. The replies are released after the check.
     */
    private void saturatePool() throws InterruptedException {
        ExampleNode target = follower(node -> tenantPools.containsKey(node.name()));
        if (target == null) {
            event("saturate-skipped", tenantPools.isEmpty() ? "no pool to saturate: the demo does not own MongoDB"
                    : "no node besides the leader is up");
            return;
        }
        TcpProxy proxy = tenantPools.get(target.name());
        long delegatedBefore = delegated(target);
        proxy.holdReplies();
        faults++;
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            // Ids no product has: every read below is a miss, so it needs MongoDB (or a peer), never the cache.
            String run = Long.toString(System.nanoTime(), 36);
            for (int i = 0; i < 2; i++) {
                held.add(get(target, "/tenants/" + tenant + "/products/held-" + run + "-" + i, Duration.ofSeconds(30)));
            }
            boolean saturated = false;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!saturated && System.nanoTime() < deadline) {
                saturated = poolSaturated(target);
                if (!saturated) {
                    Thread.sleep(100);
                }
            }
            int answered = 0;
            int asked = 5;
            for (int i = 0; i < asked && saturated; i++) {
                // A miss no peer takes (every peer refused or is down) waits for the held pool: it times out here.
                try {
                    HttpResponse<String> r = get(target, "/tenants/" + tenant + "/products/miss-" + run + "-" + i,
                            Duration.ofSeconds(5)).join();
                    answered += r.statusCode() == 404 ? 1 : 0; // answered: no such product
                } catch (java.util.concurrent.CompletionException timedOut) {
                    // counted as not answered
                }
            }
            long delegated = delegated(target) - delegatedBefore;
            event("saturate", saturated
                    ? String.format(Locale.ROOT, "%s's pool for %s full (2 connections held); %d of %d misses sent to "
                            + "it answered, %d reads delegated to peers over Redis", target.name(), tenant, answered,
                            asked, delegated)
                    : target.name() + "'s pool for " + tenant + " did not report saturation within 10 s");
        } catch (RuntimeException e) {
            event("failed", "saturate: " + e);
        } finally {
            proxy.releaseReplies();
            for (CompletableFuture<HttpResponse<String>> h : held) {
                try {
                    h.join();
                } catch (RuntimeException ignored) {
                    // a held read that timed out: the proxy released its reply late
                }
            }
            event("saturate-end", "replies released; " + target.name() + "'s pool for " + tenant + " drains");
        }
    }

    private CompletableFuture<HttpResponse<String>> get(ExampleNode node, String path, Duration timeout) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(node.baseUri() + path)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Document report(ExampleNode node) {
        Document report = monitor.report(node, Duration.ofSeconds(5));
        return report == null ? new Document() : report;
    }

    /** The delegated reads {@code node} sent so far (0 when it has no delegation). */
    private long delegated(ExampleNode node) {
        Document coordinator = report(node).get("coordinator", Document.class);
        Document delegation = coordinator == null ? null : coordinator.get("delegation", Document.class);
        return delegation == null ? 0 : ((Number) delegation.get("delegated")).longValue();
    }

    private boolean poolSaturated(ExampleNode node) {
        Document pools = report(node).get("pools", Document.class);
        if (pools == null) {
            return false;
        }
        for (Document pool : pools.getList("pools", Document.class)) {
            if (tenant.equals(pool.getString("pool")) && Boolean.TRUE.equals(pool.getBoolean("saturated"))) {
                return true;
            }
        }
        return false;
    }

    /** The last node that is up, does not lead (as last seen) and passes {@code also}; null if none. */
    private ExampleNode follower(java.util.function.Predicate<ExampleNode> also) {
        String leader = monitor.leader();
        ExampleNode target = null;
        for (ExampleNode node : nodes) {
            if (!unavailable.contains(node) && !node.name().equals(leader) && also.test(node)) {
                target = node;
            }
        }
        return target;
    }

    private void pauseNode() throws InterruptedException {
        ExampleNode target = follower(node -> true);
        if (target == null) {
            event("failed", "sigstop: no node besides the leader is up");
            return;
        }
        unavailable.add(target);
        target.pause();
        faults++;
        event("sigstop", String.format(Locale.ROOT, "SIGSTOP %s (pid %d) for %.1f s, longer than maxStaleness",
                target.name(), target.pid(), pause.toMillis() / 1000.0));
        Thread.sleep(pause.toMillis());
        target.resume();
        unavailable.remove(target);
        event("sigcont", "SIGCONT " + target.name());
    }

    private void killPubSub() {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Long killed = connection.sync().clientKill(KillArgs.Builder.typePubsub());
            faults++;
            event("pubsub-kill", "CLIENT KILL TYPE pubsub: " + killed + " subscriber connections dropped");
        } finally {
            client.shutdown();
        }
    }

    private void stopRedis() throws InterruptedException {
        if (ownRedis == null) {
            event("redis-skipped", "Redis stop skipped: the demo uses REDIS_URL, not a Redis of its own");
            return;
        }
        ownRedis.stop();
        faults++;
        event("redis-stop", String.format(Locale.ROOT, "Redis stopped for %.0f s", REDIS_OUTAGE.toMillis() / 1000.0));
        Thread.sleep(REDIS_OUTAGE.toMillis());
        ownRedis.restart();
        event("redis-start", "Redis started again, empty, on the same port");
    }

    private void event(String kind, String description) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        synchronized (events) {
            events.add(new ClusterReport.FaultEvent(seconds, kind, description));
        }
        System.out.printf(Locale.ROOT, "[%6.1f s] FAULT %-12s %s%n", seconds, kind, description);
    }

    /** Waits for the steps and the restarts they began. */
    void awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Thread> running;
            synchronized (threads) {
                running = threads.stream().filter(Thread::isAlive).toList();
            }
            if (running.isEmpty() || System.nanoTime() > deadline) {
                return;
            }
            running.get(0).join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    /** Nodes neither down nor frozen now. */
    List<ExampleNode> available() {
        List<ExampleNode> up = new ArrayList<>(nodes);
        up.removeAll(unavailable);
        return up.isEmpty() ? nodes : up;
    }

    int faults() {
        return faults;
    }

    List<ClusterReport.FaultEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}

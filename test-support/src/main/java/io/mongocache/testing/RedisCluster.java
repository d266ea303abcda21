package io.mongocache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A three-master Redis Cluster (no replicas) made of private {@link RedisServer} processes on
 * loopback, each in its own directory.
 *
 * <p>Why: the cache's Redis tier must work against a cluster too (keys spread over slots, MOVED
 * redirects, a node going away), which a standalone server cannot show. Three masters is the
 * smallest cluster {@code redis-cli --cluster create} accepts.
 *
 * <p>Nodes may be killed, paused and restarted individually through {@link #nodes()}; a restarted
 * node keeps its {@code nodes.conf} and rejoins with its old slots but no data. Use {@link
 * #awaitClusterOk(Duration)} afterwards before expecting the cluster to serve every slot again.
 */
public final class RedisCluster implements AutoCloseable {

    private static final int MASTERS = 3;
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLUSTER_OK_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    /** Short, so tests of a failed node see the cluster notice it quickly. */
    private static final String NODE_TIMEOUT_MILLIS = "2000";

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts three cluster-enabled nodes, joins them into one cluster with all 16384 slots
     * assigned, and waits until every node reports {@code cluster_state:ok}.
     *
     * @throws IllegalStateException if a node does not start or the cluster does not form
     */
    public static RedisCluster start() {
        List<RedisServer> started = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                started.add(RedisServer.startClusterNode(List.of(
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", NODE_TIMEOUT_MILLIS)));
            }
            RedisCluster cluster = new RedisCluster(started);
            cluster.create();
            cluster.awaitClusterOk(CLUSTER_OK_TIMEOUT);
            return cluster;
        } catch (RuntimeException | Error e) {
            started.forEach(RedisServer::close);
            throw e;
        }
    }

    /** The nodes, in creation order; node {@code i} owns the {@code i}-th third of the slots. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** The {@code redis://127.0.0.1:<port>} address of every node. */
    public List<String> uris() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The address of the first node, enough for a cluster client to discover the others. */
    public String seedUri() {
        return nodes.get(0).uri();
    }

    /**
     * Waits until every node answers {@code CLUSTER INFO} with {@code cluster_state:ok}, e.g.
     * after a node was restarted.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public void awaitClusterOk(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> notOk = new ArrayList<>();
            for (RedisServer node : nodes) {
                String state = clusterState(node);
                if (!"ok".equals(state)) {
                    notOk.add(node.uri() + " cluster_state=" + state);
                }
            }
            if (notOk.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster not ok after " + timeout + ": " + notOk);
            }
            sleepMillis(20);
        }
    }

    /** Kills every node and deletes their directories. Idempotent. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (RedisServer node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "RedisCluster" + uris();
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("mongocache.redis-cli", "redis-cli"), "--cluster", "create"));
        nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            cli.getOutputStream().close();
            // Read on another thread so a hung redis-cli cannot block us past the timeout.
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(cli));
            if (!cli.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish within "
                        + CREATE_TIMEOUT + ":\n" + output.getNow("(no output yet)"));
            }
            String text = output.join();
            if (cli.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed (exit " + cli.exitValue()
                        + "):\n" + text + "\nnode logs:\n" + nodeLogTails());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Redis Cluster", e);
        }
    }

    private static String clusterState(RedisServer node) {
        try {
            String info = RespProbe.call(node.port(), PROBE_TIMEOUT, "CLUSTER", "INFO");
            String state = RespProbe.infoField(info, "cluster_state");
            return state == null ? "(missing)" : state;
        } catch (IOException e) {
            return "(unreachable: " + e.getMessage() + ")";
        }
    }

    private String nodeLogTails() {
        StringBuilder logs = new StringBuilder();
        for (RedisServer node : nodes) {
            logs.append("--- ").append(node.uri()).append('\n').append(node.logTail()).append('\n');
        }
        return logs.toString();
    }

    private static String readAll(Process process) {
        try {
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return text.replaceAll("\u001B\\[[0-9;]*m", ""); // redis-cli colours its output
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Redis Cluster", e);
        }
    }
}

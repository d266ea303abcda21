package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.coordination.NodeProcess;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Failover time: from SIGKILL of the leading node to the first outside write that a surviving node stops serving
 * stale (the new leader elected, its stream open and caught up). Three nodes as separate JVMs; an outside client
 * writes one key while a survivor, which has the key in its local tier, is polled through its cache.
 *
 * <p>Each round after the kill: the survivor reads the key (caching it), the outside client writes a new value,
 * and the survivor is polled for up to 200 ms. The first round whose write it serves ends the failover. Writes of
 * earlier rounds are not lost (the new leader replays them from the checkpoint); they only take longer.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.FailoverHarness
 * [kills with a 3 s lease] [kills with the default 15 s lease]}; Redis private, MongoDB in-process.
 */
public final class FailoverHarness {
    private FailoverHarness() {}

    public static void main(String[] args) throws Exception {
        int shortKills = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int defaultKills = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        try (RedisServer redis = RedisServer.start(); MongoServerHandle mongo = TestMongo.startInProcess();
                MongoClient client = mongo.newClient()) {
            report("lease 3 s / 2 s / 0.5 s", run(redis, mongo, client, "3000,2000,500", shortKills), 3000 + 600);
            report("lease 15 s / 10 s / 2 s (defaults)", run(redis, mongo, client, "15000,10000,2000",
                    defaultKills), 15000 + 2400);
        }
        System.exit(0);
    }

    private static void report(String what, List<long[]> rounds, long expectedMillis) {
        List<Long> elected = rounds.stream().map(r -> r[0]).toList();
        List<Long> serving = rounds.stream().map(r -> r[1]).toList();
        System.out.printf("%s: kill -> new leader %s ms; kill -> survivor serves a new outside write %s ms "
                + "(lease + 1.2 x retry = %d ms)%n", what, elected, serving, expectedMillis);
    }

    /** Runs {@code kills} failovers with a private Redis and an in-process MongoDB; see {@link #run}. */
    public static List<long[]> run(String lease, int kills) throws Exception {
        try (RedisServer redis = RedisServer.start(); MongoServerHandle mongo = TestMongo.startInProcess();
                MongoClient client = mongo.newClient()) {
            return run(redis, mongo, client, lease, kills);
        }
    }

    /**
     * Per kill: {kill → LEADER line, kill → first post-kill write served by a survivor}, in ms; {@code lease} is
     * {@code duration,deadline,retry} in ms.
     */
    private static List<long[]> run(RedisServer redis, MongoServerHandle mongo, MongoClient client, String lease,
            int kills) throws Exception {
        String dbName = "failover" + System.nanoTime();
        MongoCollection<Document> outside = client.getDatabase(dbName).getCollection("c");
        outside.insertOne(new Document("_id", 1).append("v", 0));
        List<NodeProcess> nodes = new ArrayList<>();
        List<long[]> rounds = new ArrayList<>();
        int started = 0;
        long value = 0;
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(start(redis, mongo, dbName, lease, "n" + ++started));
            }
            for (int kill = 0; kill < kills; kill++) {
                NodeProcess leader = awaitLeader(nodes, Duration.ofSeconds(40));
                awaitOpen(leader);
                nodes.remove(leader);
                NodeProcess survivor = nodes.get(0);
                Map<NodeProcess, Integer> marks = new java.util.HashMap<>();
                nodes.forEach(n -> marks.put(n, n.mark()));
                long killed = System.nanoTime();
                leader.kill();
                long served = 0;
                while (served == 0) {
                    survivor.ask("read " + dbName + " c 1", l -> l.startsWith("VALUE"), Duration.ofSeconds(10));
                    outside.updateOne(eq("_id", 1), set("v", ++value));
                    long end = System.nanoTime() + 200_000_000L;
                    while (System.nanoTime() < end) {
                        String seen = survivor.ask("read " + dbName + " c 1", l -> l.startsWith("VALUE"),
                                Duration.ofSeconds(10)).text();
                        if (seen.equals("VALUE " + value)) {
                            served = System.nanoTime();
                            break;
                        }
                    }
                    if (System.nanoTime() - killed > 60_000_000_000L) {
                        throw new IllegalStateException("no failover within 60 s");
                    }
                }
                NodeProcess next = awaitLeader(nodes, Duration.ofSeconds(5));
                long elected = next.awaitFrom(marks.get(next), l -> l.startsWith("LEADER"), Duration.ZERO).nanos();
                rounds.add(new long[] {(elected - killed) / 1_000_000, (served - killed) / 1_000_000});
                nodes.add(start(redis, mongo, dbName, lease, "n" + ++started));
            }
        } finally {
            for (NodeProcess node : nodes) {
                node.close();
            }
            client.getDatabase(dbName).drop();
            client.getDatabase(dbName + "_state").drop();
        }
        return rounds;
    }

    private static NodeProcess start(RedisServer redis, MongoServerHandle mongo, String dbName, String lease,
            String name) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("mongo", mongo.connectionString());
        args.put("redis", redis.uri());
        args.put("prefix", dbName);
        args.put("state", dbName + "_state");
        args.put("lease", lease);
        args.put("collections", dbName + ".c");
        return NodeProcess.start(name, args);
    }

    private static NodeProcess awaitLeader(List<NodeProcess> nodes, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (NodeProcess node : nodes) {
                String last = "";
                for (NodeProcess.Line line : node.lines()) {
                    if (line.text().startsWith("LEADER") || line.text().startsWith("FOLLOWER")) {
                        last = line.text();
                    }
                }
                if (last.startsWith("LEADER")) {
                    return node;
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no leader within " + timeout);
    }

    private static void awaitOpen(NodeProcess leader) throws Exception {
        while (!leader.ask("status", l -> l.startsWith("STATUS"), Duration.ofSeconds(10)).text().contains("open=1")) {
            Thread.sleep(20);
        }
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.Document;

/**
 * One node of a deployment, as a separate JVM, driven by tests and the failover harness over stdin/stdout.
 *
 * <p>Arguments {@code key=value}: {@code mongo}, {@code redis}, {@code prefix}, {@code state}, {@code node},
 * {@code lease=duration,deadline,retry} (ms), {@code collections=db.c,…} or {@code databases=db,…},
 * {@code refresh} (ms), and for delegation {@code delegate=db}, {@code delegateUri}, {@code delegateMax},
 * {@code ack} (ms).
 *
 * <p>Prints {@code READY id pid}, {@code LEADER epoch}, {@code FOLLOWER epoch}. Commands, one per line:
 * {@code warm db coll n} (reads {@code _id} 0..n-1 through the cache), {@code verify db coll n} (compares every
 * cached read with MongoDB: {@code VERIFY ok n} or {@code VERIFY bad …}), {@code read db coll id} ({@code VALUE v}, through the cache),
 * {@code status}, {@code hold n}
 * (occupies n connections of the delegated database's pool), {@code ping} (opens that pool), {@code quit}. It
 * exits when stdin closes, so it never outlives its test.
 */
public final class CoordinatorNode {
    private CoordinatorNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        MongoClient client = MongoClients.create(a.get("mongo"));
        MongoCache cache = MongoCache.builder().redis(a.get("redis")).keyPrefix(a.get("prefix"))
                .maxStaleness(Duration.ofSeconds(2)).build();
        String[] lease = a.getOrDefault("lease", "3000,2000,500").split(",");
        Coordinator.Builder builder = Coordinator.builder().client(client).cache(cache).stateDatabase(a.get("state"))
                .nodeId(a.get("node")).heartbeatInterval(Duration.ofMillis(300))
                .collectionRefresh(Duration.ofMillis(Long.parseLong(a.getOrDefault("refresh", "500"))))
                .lease(new LeaseSettings(Duration.ofMillis(Long.parseLong(lease[0])),
                        Duration.ofMillis(Long.parseLong(lease[1])), Duration.ofMillis(Long.parseLong(lease[2]))))
                .onLeadership(new LeaderElector.Listener() {
                    @Override
                    public void becameLeader(Lease l) {
                        say("LEADER " + l.epoch());
                    }

                    @Override
                    public void stoppedLeading(Lease l) {
                        say("FOLLOWER " + l.epoch());
                    }
                });
        if (a.containsKey("collections")) {
            builder.watch(WatchScope.collections(a.get("collections").split(",")));
        } else if (a.containsKey("databases")) {
            builder.watch(WatchScope.databases(a.get("databases").split(",")));
        }
        MongoPools pools = null;
        String delegated = a.get("delegate");
        if (delegated != null) {
            pools = MongoPools.builder().primary(a.get("mongo")).separatePool(delegated, PoolOptions.builder()
                    .uri(a.get("delegateUri")).maxConnections(Integer.parseInt(a.get("delegateMax"))).build())
                    .shutdownHook(false).build();
            builder.pools(pools).delegate(delegated)
                    .delegation(new DelegationSettings(Duration.ofMillis(Long.parseLong(a.getOrDefault("ack", "1000"))),
                            3, 4, 64 * 1024));
        }
        Coordinator coordinator = builder.start();
        say("READY " + coordinator.nodeId() + " " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split(" ");
            try {
                switch (c[0]) {
                    case "warm" -> {
                        CachedCollection<Document> coll = cache.wrap(client.getDatabase(c[1]).getCollection(c[2]));
                        int n = Integer.parseInt(c[3]);
                        for (int id = 0; id < n; id++) {
                            coll.find(eq("_id", id)).first();
                        }
                        coll.countDocuments();
                        say("WARMED " + n);
                    }
                    case "read" -> {
                        Document doc = cache.wrap(client.getDatabase(c[1]).getCollection(c[2]))
                                .find(eq("_id", Integer.parseInt(c[3]))).first();
                        say("VALUE " + (doc == null ? "none" : String.valueOf(doc.get("v"))));
                    }
                    case "verify" -> say(verify(cache, client, c[1], c[2], Integer.parseInt(c[3])));
                    case "status" -> {
                        Coordinator.Status s = coordinator.status();
                        say("STATUS leader=" + s.leader() + " epoch=" + s.epoch() + " events=" + s.events()
                                + " flushes=" + s.flushes() + " open=" + s.streamsOpen() + " scopes=" + s.scopes());
                    }
                    case "hold" -> hold(Objects.requireNonNull(pools), delegated, Integer.parseInt(c[1]));
                    case "ping" -> {
                        Objects.requireNonNull(pools).database(delegated).runCommand(new Document("ping", 1));
                        say("PONG");
                    }
                    case "quit" -> {
                        coordinator.close();
                        cache.close();
                        say("BYE");
                        Runtime.getRuntime().halt(0);
                    }
                    default -> say("ERROR unknown command " + c[0]);
                }
            } catch (Exception e) {
                say("ERROR " + e);
            }
        }
        Runtime.getRuntime().halt(0);
    }

    private static String verify(MongoCache cache, MongoClient client, String db, String collection, int n)
            throws InterruptedException {
        cache.awaitInvalidations(Duration.ofSeconds(5));
        MongoCollection<Document> raw = client.getDatabase(db).getCollection(collection);
        CachedCollection<Document> cached = cache.wrap(raw);
        List<String> bad = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            Document expected = raw.find(eq("_id", id)).first();
            Document actual = cached.find(eq("_id", id)).first();
            if (!Objects.equals(expected, actual) && bad.size() < 5) {
                bad.add("id=" + id + " cached=" + actual + " actual=" + expected);
            }
        }
        long expectedCount = raw.countDocuments();
        long count = cached.countDocuments();
        if (expectedCount != count) {
            bad.add("count cached=" + count + " actual=" + expectedCount);
        }
        return bad.isEmpty() ? "VERIFY ok " + n : "VERIFY bad " + bad;
    }

    /** Occupies {@code n} connections with reads that wait on the (test-delayed) server, until they return. */
    private static void hold(MongoPools pools, String db, int n) {
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    pools.database(db).getCollection("c").find().first();
                } catch (RuntimeException e) {
                    // held long enough
                }
            });
            t.setDaemon(true);
            t.start();
        }
        // Says so only once the connections are taken: a request arriving before would still find room.
        try {
            Await.until(() -> pools.pools().isSaturated(db), Duration.ofSeconds(10), "the pool of " + db
                    + " to saturate");
        } catch (AssertionError e) {
            say("ERROR " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        say("HOLDING " + n);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}

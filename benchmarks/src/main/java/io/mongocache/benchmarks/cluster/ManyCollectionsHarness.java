package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.coordination.LeaseSettings;
import io.mongocache.coordination.WatchScope;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;

/**
 * A database scope of many collections on a server without database-level streams (the in-process one): what the
 * watcher costs once every per-collection stream is open — threads, server connections (peak, through a counting
 * proxy), requests and checkpoint writes per minute while idle — and how long an outside write to a random one of
 * them takes to reach the cache.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.ManyCollectionsHarness
 * [collections] [idleSeconds] [writes]}
 */
public final class ManyCollectionsHarness {
    private ManyCollectionsHarness() {}

    /**
     * @param collections collections watched
     * @param startMillis from start() until every stream was open
     * @param threads live threads named {@code mongocache-watcher-*} or {@code mongocache-streams-*}
     * @param peakConnections most server connections the coordinator's client held at once
     * @param requestsPerMinute requests the coordinator's client sent per minute while idle
     * @param checkpointWritesPerMinute checkpoint writes per minute while idle
     * @param outsideWrite outside write acknowledged → the cache serves the new value
     */
    public record Result(int collections, long startMillis, int threads, int peakConnections,
            double requestsPerMinute, double checkpointWritesPerMinute, Percentiles outsideWrite) {}

    public static void main(String[] args) throws Exception {
        int collections = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int writes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Result r = run(collections, Duration.ofSeconds(idleSeconds), writes);
        System.out.printf("%d collections: all streams open after %d ms; %d stream threads; peak %d connections%n",
                r.collections(), r.startMillis(), r.threads(), r.peakConnections());
        System.out.printf("idle: %.0f requests/min, %.0f checkpoint writes/min%n", r.requestsPerMinute(),
                r.checkpointWritesPerMinute());
        System.out.printf("outside write to a random collection -> cache current: %s%n", r.outsideWrite().summary());
        System.exit(0);
    }

    public static Result run(int collections, Duration idle, int writes) throws Exception {
        try (RedisServer redis = RedisServer.start(); MongoServerHandle mongo = TestMongo.startInProcess();
                MongoClient writer = mongo.newClient(); TcpProxy proxy = TcpProxy.raw(mongo.port());
                MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + proxy.port())) {
            MongoDatabase app = writer.getDatabase("many");
            for (int i = 0; i < collections; i++) {
                app.getCollection("c" + i).insertOne(new Document("_id", 1).append("v", 0));
            }
            try (MongoCache cache = MongoCache.builder().redis(redis.uri()).keyPrefix("many").build();
                    Coordinator coordinator = Coordinator.builder().client(client).cache(cache)
                            .stateDatabase("many_state").watch(WatchScope.databases("many"))
                            .lease(new LeaseSettings(Duration.ofSeconds(15), Duration.ofSeconds(10),
                                    Duration.ofMillis(200))).start()) {
                long started = System.nanoTime();
                while (coordinator.status().streamsOpen() < collections) {
                    Thread.sleep(20);
                }
                long startMillis = (System.nanoTime() - started) / 1_000_000;
                int threads = (int) Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .filter(n -> n.startsWith("mongocache-watcher-") || n.startsWith("mongocache-streams-"))
                        .count();

                long requests = proxy.forwardedRequests();
                long checkpoints = coordinator.status().checkpointWrites();
                long idleStart = System.nanoTime();
                Thread.sleep(idle.toMillis());
                double minutes = (System.nanoTime() - idleStart) / 60e9;
                double requestsPerMinute = (proxy.forwardedRequests() - requests) / minutes;
                double checkpointsPerMinute = (coordinator.status().checkpointWrites() - checkpoints) / minutes;

                Percentiles latency = new Percentiles();
                for (int w = 0; w < writes; w++) {
                    int i = ThreadLocalRandom.current().nextInt(collections);
                    MongoCollection<Document> outside = app.getCollection("c" + i);
                    CachedCollection<Document> cached = cache.wrap(client.getDatabase("many").getCollection("c" + i));
                    int before = cached.find(eq("_id", 1)).first().getInteger("v");
                    outside.updateOne(eq("_id", 1), set("v", before + 1));
                    long acked = System.nanoTime();
                    while (cached.find(eq("_id", 1)).first().getInteger("v") == before) {
                        LockSupport.parkNanos(200_000); // leave the CPU to the watcher and the server
                    }
                    latency.add(System.nanoTime() - acked);
                }
                return new Result(collections, startMillis, threads, proxy.peakConnections(), requestsPerMinute,
                        checkpointsPerMinute, latency);
            }
        }
    }
}

package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.benchmarks.RedisCommandStats;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * What a cache miss costs Redis itself: the server's own time per command ({@code INFO commandstats}, microseconds
 * spent executing), summed over {@code n} cold misses by {@code _id} with the local tier off (each miss is one lookup
 * and one install) and divided by {@code n}. Unlike client-side latency on a small shared VM, this does not depend on
 * scheduling: it is the work each miss puts on Redis.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.MissRedisCostHarness [n]}
 */
public final class MissRedisCostHarness {
    private MissRedisCostHarness() {}

    /**
     * @param misses cold misses measured
     * @param redisMicrosPerMiss Redis execution time per miss, all commands
     * @param readsPerMiss socket reads Redis processed per miss ({@code total_reads_processed}): in how many
     *     separate reads a miss's commands (its lookup's and its install's) reached the server
     * @param commands per command name: calls and microseconds in the measured window
     */
    public record Result(int misses, double redisMicrosPerMiss, double readsPerMiss, List<String> commands) {}

    public static void main(String[] args) throws Exception {
        Result r = run(args.length > 0 ? Integer.parseInt(args[0]) : 3000);
        System.out.printf("%d cold misses: %.1f µs of Redis time and %.2f socket reads per miss%n", r.misses(),
                r.redisMicrosPerMiss(), r.readsPerMiss());
        r.commands().forEach(c -> System.out.println("  " + c));
        System.exit(0);
    }

    public static Result run(int misses) throws Exception {
        try (RedisServer redis = RedisServer.start(); MongoServerHandle mongo = TestMongo.startInProcess();
                MongoClient client = mongo.newClient()) {
            MongoCollection<Document> raw = client.getDatabase("cost").getCollection("docs");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 2 * misses; i++) {
                docs.add(new Document("_id", i).append("pad", "x".repeat(1000)));
            }
            raw.insertMany(docs);
            try (RedisCommandStats redisStats = new RedisCommandStats(redis.uri());
                    MongoCache cache = MongoCache.builder().redis(redis.uri()).maxLocalBytes(0).build()) {
                CachedCollection<Document> cached = cache.wrap(raw);
                for (int i = misses; i < 2 * misses; i++) {
                    cached.find(eq("_id", i)).first(); // warm-up on other documents
                }
                cache.awaitInvalidations(java.time.Duration.ofSeconds(5));
                redisStats.reset();
                for (int i = 0; i < misses; i++) {
                    cached.find(eq("_id", i)).first();
                }
                Thread.sleep(200); // installs are sent without waiting: let the last ones run
                RedisCommandStats.Window w = redisStats.read();
                List<String> commands = new ArrayList<>();
                for (RedisCommandStats.Command c : w.commands()) {
                    commands.add(String.format("%-10s %7d calls %9d µs", c.name(), c.calls(), c.micros()));
                }
                return new Result(misses, (double) w.totalMicros() / misses, (double) w.reads() / misses, commands);
            }
        }
    }
}

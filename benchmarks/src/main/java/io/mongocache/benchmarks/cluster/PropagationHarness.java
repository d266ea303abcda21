package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * Invalidation propagation: from a write's acknowledgement on node A to node B no longer serving the old value.
 * Node B has the document in its local tier; A updates it by {@code _id}; B reads in a loop until it sees the
 * new value. The time includes B's final reload from MongoDB. Baseline, in the same run: a raw Lettuce pub/sub
 * message from publish to listener on the same Redis.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.PropagationHarness
 * [iterations]}; Redis at {@code REDIS_URL} or a private {@code redis-server}; MongoDB in-process.
 */
public final class PropagationHarness {

    /** The two distributions. */
    public record Result(Percentiles pubSub, Percentiles propagation) {}

    private PropagationHarness() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Result result = run(iterations, Math.max(100, iterations / 10));
        System.out.println("raw Lettuce pub/sub publish -> listener: " + result.pubSub().summary());
        System.out.println("write ack on A -> B serves the new value: " + result.propagation().summary());
        System.out.printf("ratio p50 %.2f, p99 %.2f%n", result.propagation().micros(50) / result.pubSub().micros(50),
                result.propagation().micros(99) / result.pubSub().micros(99));
        System.exit(0);
    }

    public static Result run(int iterations, int warmup) throws Exception {
        String redisUrl = System.getenv("REDIS_URL");
        RedisServer privateRedis = redisUrl == null ? RedisServer.start() : null;
        String uri = redisUrl != null ? redisUrl : privateRedis.uri();
        try (MongoServerHandle mongo = TestMongo.startInProcess(); MongoClient client = mongo.newClient()) {
            Percentiles pubSub = pubSubBaseline(uri, iterations, warmup);
            MongoCollection<Document> raw = client.getDatabase("propagation").getCollection("docs");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                docs.add(new Document("_id", i).append("v", -1));
            }
            raw.insertMany(docs);
            Percentiles propagation = new Percentiles();
            try (MongoCache a = MongoCache.builder().redis(uri).keyPrefix("prop").build();
                    MongoCache b = MongoCache.builder().redis(uri).keyPrefix("prop").build()) {
                CachedCollection<Document> onA = a.wrap(raw);
                CachedCollection<Document> onB = b.wrap(raw);
                b.awaitInvalidations(Duration.ofSeconds(5));
                for (int i = 0; i < warmup + iterations; i++) {
                    int key = i % 100;
                    onB.find(eq("_id", key)).first();
                    onB.find(eq("_id", key)).first(); // now in B's local tier
                    onA.updateOne(eq("_id", key), set("v", i));
                    long acknowledged = System.nanoTime();
                    while (onB.find(eq("_id", key)).first().getInteger("v") != i) {
                        // Park briefly instead of spinning: on 2 cores a spinning reader would starve the very
                        // threads (Lettuce, Redis, MongoDB) that deliver the invalidation.
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    }
                    if (i >= warmup) {
                        propagation.add(System.nanoTime() - acknowledged);
                    }
                }
            }
            return new Result(pubSub, propagation);
        } finally {
            if (privateRedis != null) {
                privateRedis.close();
            }
        }
    }

    private static Percentiles pubSubBaseline(String uri, int iterations, int warmup) throws Exception {
        Percentiles latencies = new Percentiles();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
                var publisher = client.connect()) {
            AtomicLong received = new AtomicLong();
            CountDownLatch[] arrived = {new CountDownLatch(1)};
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.set(System.nanoTime() - Long.parseLong(message));
                    arrived[0].countDown();
                }
            });
            subscriber.sync().subscribe("baseline");
            for (int i = 0; i < warmup + iterations; i++) {
                arrived[0] = new CountDownLatch(1);
                publisher.sync().publish("baseline", Long.toString(System.nanoTime()));
                if (!arrived[0].await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a pub/sub message did not arrive");
                }
                if (i >= warmup) {
                    latencies.add(received.get());
                }
            }
        } finally {
            client.shutdown();
        }
        return latencies;
    }
}

package io.mongocache.benchmarks.cluster;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.mongocache.MongoCache;
import io.mongocache.testing.MongoServerProcess;
import io.mongocache.testing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bson.Document;

/**
 * Bookkeeping memory per touched namespace: {@code n} namespaces (tenant databases of 10 collections each), each
 * with one document, one cached point read and one write by {@code _id}, through one cache whose local tier is
 * capped at 1 MiB — what a node serving many tenants does. The cache runs in a child JVM with a 256 MB heap; it
 * reports the heap retained after a full GC beyond a warmed baseline, and Redis' {@code used_memory} growth and
 * keys without an expiry, per namespace.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.cluster.NamespaceMemoryHarness
 * [namespaces=20000,100000]}.
 */
public final class NamespaceMemoryHarness {

    private NamespaceMemoryHarness() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("child")) {
            child(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        List<Integer> counts = new ArrayList<>(List.of(20_000, 100_000));
        for (String arg : args) {
            if (arg.startsWith("namespaces=")) {
                counts.clear();
                for (String s : arg.substring(11).split(",")) {
                    counts.add(Integer.parseInt(s));
                }
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + " (namespaces=…)");
            }
        }
        System.out.println("| touched namespaces | child heap | heap retained per namespace | Redis bytes per namespace "
                + "| Redis keys without expiry |");
        System.out.println("|---:|---|---:|---:|---:|");
        for (int n : counts) {
            try (MongoServerProcess mongo = MongoServerProcess.start("8g", false); RedisServer redis = RedisServer.start()) {
                List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                        System.getProperty("java.class.path"), NamespaceMemoryHarness.class.getName(), "child",
                        mongo.connectionString(), redis.uri(), Integer.toString(n));
                Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
                String result = null;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("RESULT ")) {
                            result = line.substring(7);
                        } else {
                            System.err.println("[child] " + line);
                        }
                    }
                }
                int exit = child.waitFor();
                System.out.println(result != null ? result : "| " + n + " | 256 MB | child failed (exit " + exit
                        + ", e.g. out of memory) | | |");
            }
        }
        System.exit(0);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long redisUsedMemory(RedisCommands<String, String> redis) {
        for (String line : redis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }

    private static long keysWithoutExpiry(RedisCommands<String, String> redis) {
        for (String line : redis.info("keyspace").split("\r?\n")) {
            if (line.startsWith("db0:")) {
                long keys = 0;
                long expires = 0;
                for (String part : line.substring(4).split(",")) {
                    if (part.startsWith("keys=")) {
                        keys = Long.parseLong(part.substring(5));
                    } else if (part.startsWith("expires=")) {
                        expires = Long.parseLong(part.substring(8));
                    }
                }
                return keys - expires;
            }
        }
        return 0;
    }

    private static void child(String mongoUri, String redisUri, int namespaces) throws Exception {
        RedisClient admin = RedisClient.create(redisUri);
        RedisCommands<String, String> redis = admin.connect().sync();
        try (MongoClient client = MongoClients.create(mongoUri);
                MongoCache cache = MongoCache.builder().redis(redisUri).maxLocalBytes(1L << 20)
                        .defaultTtl(Duration.ofMinutes(10)).build()) {
            cache.awaitInvalidations(Duration.ofSeconds(10));
            // Warm the code paths and the driver on namespaces outside the count, then take the baseline.
            touch(client, cache, "warm", 200);
            long heapBefore = usedHeapAfterGc();
            long redisBefore = redisUsedMemory(redis);
            long start = System.nanoTime();
            touch(client, cache, "t", namespaces);
            double seconds = (System.nanoTime() - start) / 1e9;
            long heapAfter = usedHeapAfterGc();
            long redisAfter = redisUsedMemory(redis);
            long persistent = keysWithoutExpiry(redis);
            System.out.printf(Locale.ROOT, "RESULT | %,d | 256 MB | %,.0f B | %,.0f B | %d (the era) |%n", namespaces,
                    (double) (heapAfter - heapBefore) / namespaces, (double) (redisAfter - redisBefore) / namespaces,
                    persistent);
            System.err.printf(Locale.ROOT, "%,d namespaces touched in %.1f s; totals %s%n", namespaces, seconds,
                    cache.stats().totals());
        } finally {
            admin.shutdown();
        }
    }

    private static void touch(MongoClient client, MongoCache cache, String prefix, int namespaces) {
        for (int i = 0; i < namespaces; i++) {
            MongoCollection<Document> raw = client.getDatabase(prefix + (i / 10)).getCollection("c" + (i % 10));
            raw.insertOne(new Document("_id", 1).append("v", 0));
            MongoCollection<Document> cached = cache.wrap(raw);
            if (cached.find(eq("_id", 1)).first() == null) {
                throw new IllegalStateException("namespace " + raw.getNamespace() + " lost its document");
            }
            cached.updateOne(eq("_id", 1), set("v", 1));
        }
    }
}

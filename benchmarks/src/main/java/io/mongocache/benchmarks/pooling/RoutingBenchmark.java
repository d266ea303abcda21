package io.mongocache.benchmarks.pooling;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TestMongo;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of routing to another database: getting a usable collection handle for a tenant database. Baseline:
 * the driver's {@code client.getDatabase(name).getCollection("users")}. Ours: {@code pools.database(name)} on the
 * shared pool, on a separate pool, and the cached collection's {@code users.db(name)} (router plus wrapping).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {

    /** Baseline first, then ours. */
    public enum Variant { DRIVER_GET_DATABASE, MONGOCACHE_POOLS_SHARED, MONGOCACHE_POOLS_SEPARATE, MONGOCACHE_CACHED_DB }

    @Param
    public Variant variant;

    private MongoServerHandle server;
    private MongoClient client;
    private MongoPools pools;
    private MongoCache cache;
    private CachedCollection<Document> users;
    private final String[] tenants = new String[16];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        server = TestMongo.startInProcess();
        client = server.newClient();
        for (int i = 0; i < tenants.length; i++) {
            tenants[i] = "tenant_" + i;
        }
        pools = MongoPools.builder().primary(server.connectionString()).build();
        if (variant == Variant.MONGOCACHE_POOLS_SEPARATE) {
            pools.pools().separatePools(List.of(tenants), PoolOptions.builder().maxConnections(2).build());
        }
        cache = MongoCache.builder().databases(pools::database).build();
        users = cache.wrap(pools.database("home").getCollection("users"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cache.close();
        pools.closeNow();
        client.close();
        server.close();
    }

    @Benchmark
    public Object route() {
        String tenant = tenants[next++ & (tenants.length - 1)];
        MongoCollection<Document> collection = switch (variant) {
            case DRIVER_GET_DATABASE -> client.getDatabase(tenant).getCollection("users");
            case MONGOCACHE_POOLS_SHARED, MONGOCACHE_POOLS_SEPARATE -> pools.database(tenant).getCollection("users");
            case MONGOCACHE_CACHED_DB -> users.db(tenant);
        };
        return collection.getNamespace();
    }
}

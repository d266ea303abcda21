package io.mongocache.benchmarks.pooling;

import static com.mongodb.client.model.Filters.eq;

import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.Document;

/**
 * Connections used by many tenant databases: 1,000 databases, 8 worker threads each querying random tenants,
 * once with every tenant on the shared primary pool and once with a separate pool per tenant (1 connection
 * each, at most 50 open, idle ones evicted LRU). Connections are counted on the server side, through a TCP proxy.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.mongocache.benchmarks.pooling.TenantConnectionsHarness
 * [tenants] [queries]}.
 */
public final class TenantConnectionsHarness {

    /** One configuration's result. */
    public record Result(String configuration, int tenants, int queries, int peakConnections, double seconds) {}

    private TenantConnectionsHarness() {}

    public static void main(String[] args) throws Exception {
        int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        for (Result r : run(tenants, queries)) {
            System.out.printf("%-40s tenants %d, queries %d: peak server-side connections %d, %.1f s%n",
                    r.configuration(), r.tenants(), r.queries(), r.peakConnections(), r.seconds());
        }
        System.exit(0);
    }

    public static List<Result> run(int tenants, int queries) throws Exception {
        List<Result> results = new ArrayList<>();
        try (MongoServerHandle server = TestMongo.startInProcess()) {
            try (MongoPools loader = MongoPools.builder().primary(server.connectionString()).build()) {
                for (int t = 0; t < tenants; t++) {
                    loader.database("tenant_" + t).getCollection("c").insertOne(new Document("_id", 1));
                }
            }
            results.add(measure("shared primary pool", server, tenants, queries, false));
            results.add(measure("separate pools (1 conn, max 50 open)", server, tenants, queries, true));
        }
        return results;
    }

    private static Result measure(String name, MongoServerHandle server, int tenants, int queries, boolean separate)
            throws Exception {
        try (TcpProxy proxy = TcpProxy.raw(server.port())) {
            String uri = "mongodb://127.0.0.1:" + proxy.port() + "/?directConnection=true";
            MongoPools.Builder builder = MongoPools.builder().primary(uri).maxOpenPools(50);
            try (MongoPools pools = builder.build()) {
                if (separate) {
                    List<String> names = new ArrayList<>();
                    for (int t = 0; t < tenants; t++) {
                        names.add("tenant_" + t);
                    }
                    pools.pools().separatePools(names, PoolOptions.builder().maxConnections(1).build());
                }
                long start = System.nanoTime();
                ExecutorService threads = Executors.newFixedThreadPool(8);
                try {
                    List<Future<?>> work = new ArrayList<>();
                    for (int w = 0; w < 8; w++) {
                        int seed = w;
                        work.add(threads.submit(() -> {
                            java.util.Random random = new java.util.Random(seed);
                            for (int q = 0; q < queries / 8; q++) {
                                pools.database("tenant_" + random.nextInt(tenants)).getCollection("c")
                                        .find(eq("_id", 1)).first();
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : work) {
                        f.get();
                    }
                } finally {
                    threads.shutdown();
                }
                return new Result(name, tenants, queries, proxy.peakConnections(), (System.nanoTime() - start) / 1e9);
            }
        }
    }
}

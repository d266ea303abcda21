package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.gte;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Delegation over a 3-master Redis Cluster: the requester's and the peer's connections land on whichever nodes
 * Lettuce picks, and a PUBLISH there counts only local subscribers, so "0 receivers" must not mean "nobody
 * listens". The delegated read still equals the direct query.
 */
class DelegationClusterIT {

    @Test
    void shouldDelegateOverRedisCluster() throws Exception {
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("clusterdlg"));
        String state = TestMongo.uniqueDatabaseName("state");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            docs.add(new Document("_id", i).append("n", (long) i).append("pad", "y".repeat(500)));
        }
        app.getCollection("orders").insertMany(docs);
        String seed = TestRedis.cluster().seedUri();
        String prefix = "cdlg" + System.nanoTime();
        try (TcpProxy link = TcpProxy.raw(TestMongo.port()); MongoCache cache = MongoCache.builder().redisCluster(seed).keyPrefix(prefix).build();
                MongoPools mine = pools(app, "mongodb://127.0.0.1:" + link.port(), 1);
                MongoPools theirs = pools(app, TestMongo.connectionString(), 4)) {
            Coordinator peer = coordinator("peer", cache, theirs, app, state, seed, prefix);
            Coordinator requester = coordinator("requester", cache, mine, app, state, seed, prefix);
            try {
                Await.until(() -> requester.peers().stream().anyMatch(p -> p.nodeId().equals("peer")
                        && p.capacity(app.getName()) > 0), Duration.ofSeconds(10), "the peer in the registry");
                mine.database(app.getName()).runCommand(new Document("ping", 1));
                link.holdReplies(); // this node's only connection stays busy until released below
                CompletableFuture<Void> held = CompletableFuture.runAsync(
                        () -> mine.database(app.getName()).getCollection("orders").find().first());
                Await.until(() -> mine.pools().isSaturated(app.getName()), Duration.ofSeconds(10), "saturation");
                List<Document> answer = requester.read(ReadRequest.find(app.getName(), "orders", gte("n", 50L))
                        .sort(Sorts.ascending("_id")), Duration.ofSeconds(30));
                assertEquals(app.getCollection("orders").find(gte("n", 50L)).sort(Sorts.ascending("_id"))
                        .into(new ArrayList<>()), answer);
                assertEquals(1, requester.delegationStats().orElseThrow().delegated());
                assertEquals(1, peer.delegationStats().orElseThrow().served());
                assertEquals(0, requester.delegationStats().orElseThrow().pending());
                link.releaseReplies();
                held.join();
            } finally {
                requester.close();
                peer.close();
                app.drop();
                TestMongo.client().getDatabase(state).drop();
            }
        }
    }

    private static MongoPools pools(MongoDatabase app, String uri, int max) {
        return MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                .separatePool(app.getName(), PoolOptions.builder().uri(uri).maxConnections(max).build()).build();
    }

    private static Coordinator coordinator(String node, MongoCache cache, MongoPools pools, MongoDatabase app,
            String state, String seed, String prefix) {
        return Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(state).nodeId(node)
                .heartbeatInterval(Duration.ofMillis(200)).pools(pools).delegate(app.getName())
                .delegation(new DelegationSettings(Duration.ofSeconds(2), 3, 4, 16 * 1024))
                .start();
    }
}

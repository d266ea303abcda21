package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mongocache.CachedCollection;
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
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

/**
 * Delegation without changing the reading code: a cache miss on a saturated pool is run by a peer, through the
 * cache's read delegate that the coordinator installs, and cached as usual; without a peer it runs here after all
 * (it waits for the pool, as without delegation), and never fails because of delegation. This node's only
 * connection is held by a read whose reply the proxy holds back until the test lets it go, so "while the pool was
 * saturated" is a fact, not a race against a delay.
 */
class CachedMissDelegationIT {

    @Test
    void shouldRunMissesOnAPeerWhileThisNodesPoolIsSaturated() throws Exception {
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("miss"));
        String state = TestMongo.uniqueDatabaseName("state");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            docs.add(new Document("_id", i).append("n", (long) i).append("tag", "t" + i % 7));
        }
        app.getCollection("orders").insertMany(docs);
        MongoCollection<Document> direct = app.getCollection("orders");
        String prefix = "miss" + System.nanoTime();
        try (TcpProxy link = TcpProxy.raw(TestMongo.port());
                MongoPools mine = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                        .separatePool(app.getName(), PoolOptions.builder().uri("mongodb://127.0.0.1:" + link.port())
                                .maxConnections(1).build()).build();
                MongoPools theirs = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                        .separatePool(app.getName(), PoolOptions.builder().maxConnections(4).build()).build();
                MongoCache myCache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix)
                        .databases(mine::database).build();
                MongoCache theirCache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix + "p").build()) {
            Coordinator peer = start("peer", theirCache, theirs, app, state, prefix);
            Coordinator me = start("me", myCache, mine, app, state, prefix);
            try {
                Await.until(() -> me.peers().stream().anyMatch(p -> p.nodeId().equals("peer")
                        && p.capacity(app.getName()) > 0), Duration.ofSeconds(10), "the peer in the registry");
                CachedCollection<Document> orders = myCache.wrap(mine.database(app.getName()).getCollection("orders"));
                assertEquals(direct.find(eq("_id", 1)).first(), orders.find(eq("_id", 1)).first()); // opens the pool

                CompletableFuture<Void> held = hold(link, mine, app.getName());
                List<Document> many = orders.find(gte("n", 20L)).projection(Projections.exclude("tag"))
                        .sort(Sorts.descending("n")).skip(5).limit(100).into(new ArrayList<>());
                Document one = orders.find(eq("tag", "t3")).sort(Sorts.ascending("_id")).first();
                long count = orders.countDocuments(eq("tag", "t3"));
                List<Bson> pipeline = List.of(Aggregates.match(gte("n", 100L)),
                        Aggregates.group("$tag", Accumulators.sum("c", 1)), Aggregates.sort(Sorts.ascending("_id")));
                List<Document> groups = orders.aggregate(pipeline).into(new ArrayList<>());
                assertFalse(held.isDone(), "answered while this node's only connection was held");
                assertEquals(direct.find(gte("n", 20L)).projection(Projections.exclude("tag"))
                        .sort(Sorts.descending("n")).skip(5).limit(100).into(new ArrayList<>()), many);
                assertEquals(direct.find(eq("tag", "t3")).sort(Sorts.ascending("_id")).first(), one);
                assertEquals(direct.countDocuments(eq("tag", "t3")), count);
                assertEquals(direct.aggregate(pipeline).into(new ArrayList<>()), groups);
                assertEquals(4, me.delegationStats().orElseThrow().delegated(), "every miss ran on the peer");
                assertEquals(4, peer.delegationStats().orElseThrow().served());
                // The results were cached like any other: served again without anyone running them.
                assertEquals(many, orders.find(gte("n", 20L)).projection(Projections.exclude("tag"))
                        .sort(Sorts.descending("n")).skip(5).limit(100).into(new ArrayList<>()));
                assertEquals(4, me.delegationStats().orElseThrow().delegated());
                release(link, held);

                // No peer left: the miss waits for this node's pool and still answers.
                peer.close();
                Await.until(() -> me.peers().stream().noneMatch(p -> p.nodeId().equals("peer")),
                        Duration.ofSeconds(5), "the peer to leave the registry");
                CompletableFuture<Void> again = hold(link, mine, app.getName());
                long noPeerBefore = me.delegationStats().orElseThrow().noPeer();
                CompletableFuture<Document> miss = CompletableFuture.supplyAsync(
                        () -> orders.find(eq("_id", 299)).first());
                Await.until(() -> me.delegationStats().orElseThrow().noPeer() > noPeerBefore, Duration.ofSeconds(10),
                        "the miss to find no peer");
                assertFalse(miss.isDone(), "with no peer it waits for this node's pool, as without delegation");
                release(link, again);
                assertEquals(direct.find(eq("_id", 299)).first(), miss.get(30, TimeUnit.SECONDS),
                        "and runs here once the held connection came back");
                assertEquals(4, me.delegationStats().orElseThrow().delegated());
            } finally {
                me.close();
                peer.close();
                app.drop();
                TestMongo.client().getDatabase(state).drop();
            }
        }
    }

    /**
     * A miss deadline far longer than a delegated read takes even on a loaded machine: a miss here falls back to the
     * held pool only when no peer can serve, never because a peer was slow.
     */
    private static Coordinator start(String node, MongoCache cache, MongoPools pools, MongoDatabase app,
            String state, String prefix) {
        return Coordinator.builder().client(TestMongo.client()).cache(cache).stateDatabase(state).nodeId(node)
                .heartbeatInterval(Duration.ofMillis(200)).pools(pools).delegate(app.getName())
                .missDeadline(Duration.ofSeconds(30)).start();
    }

    /** Holds this node's only connection with a read whose reply the proxy holds until {@link #release}. */
    private static CompletableFuture<Void> hold(TcpProxy link, MongoPools pools, String db) throws Exception {
        link.holdReplies();
        CompletableFuture<Void> held = CompletableFuture.runAsync(
                () -> pools.database(db).getCollection("orders").find(eq("_id", -1)).first());
        Await.until(() -> pools.pools().isSaturated(db), Duration.ofSeconds(10), "saturation");
        return held;
    }

    /** Lets the held reply through and waits for the read that held the connection. */
    private static void release(TcpProxy link, CompletableFuture<Void> held) {
        link.releaseReplies();
        held.join();
    }
}

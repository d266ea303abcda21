package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.testing.Await;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Redis is down when the node starts: the node starts anyway, its reads run locally while the pool has room, a
 * saturated read fails with the typed exception naming the cause (never a Redis exception), and the channel
 * connects by itself once Redis is back.
 */
class DelegationRedisDownIT {

    @Test
    void shouldStartWithoutRedisAndConnectWhenItComesBack() throws Exception {
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("down"));
        String state = TestMongo.uniqueDatabaseName("state");
        app.getCollection("c").insertOne(new Document("_id", 1));
        try (RedisServer redis = RedisServer.start(); TcpProxy link = TcpProxy.raw(TestMongo.port());
                MongoCache cache = MongoCache.builder().redis(redis.uri()).build();
                MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString()).shutdownHook(false)
                        .separatePool(app.getName(), PoolOptions.builder().uri("mongodb://127.0.0.1:" + link.port())
                                .maxConnections(1).build()).build()) {
            redis.stop();
            Coordinator coordinator = Coordinator.builder().client(TestMongo.client()).cache(cache)
                    .stateDatabase(state).pools(pools).delegate(app.getName()).start();
            try {
                assertTrue(coordinator.delegation().isEmpty(), "not connected while Redis is down");
                assertEquals(List.of(new Document("_id", 1)), coordinator.read(ReadRequest.find(app.getName(), "c",
                        eq("_id", 1)), Duration.ofSeconds(5)), "a pool with room runs the read here");

                link.holdReplies(); // this node's only connection stays busy until released below
                CompletableFuture<Void> held = CompletableFuture.runAsync(
                        () -> pools.database(app.getName()).getCollection("c").find().first());
                Await.until(() -> pools.pools().isSaturated(app.getName()), Duration.ofSeconds(10), "saturation");
                NoPeerAvailableException e = assertThrows(NoPeerAvailableException.class, () -> coordinator.read(
                        ReadRequest.find(app.getName(), "c", eq("_id", 1)), Duration.ofSeconds(30)));
                assertTrue(e.getMessage().contains("not connected"), e.getMessage());
                link.releaseReplies();
                held.join();

                redis.restart();
                Await.until(() -> coordinator.delegation().isPresent(), Duration.ofSeconds(10),
                        "the channel to connect once Redis is back");
            } finally {
                coordinator.close();
                app.drop();
                TestMongo.client().getDatabase(state).drop();
            }
        }
    }
}

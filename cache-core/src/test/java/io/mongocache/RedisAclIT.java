package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * The restricted Redis users that {@code docs/deployment.md} gives (standalone and Cluster) are enough: with exactly
 * those commands, keys and channels, two nodes read, share entries, write and invalidate without a single Redis
 * error, and Redis logs no refused command. A new command in the library that the lists lack fails here.
 */
class RedisAclIT {
    /** The standalone rule of docs/deployment.md, word for word (password aside). */
    static final String STANDALONE_RULE = "on >Acl-Secret-7 resetkeys ~mc:* resetchannels &mc:* -@all +get +set "
            + "+del +pexpire +pttl +ping +evalsha +eval +script|load +publish +subscribe";

    /** The Cluster rule of docs/deployment.md, set on every node. */
    static final String CLUSTER_RULE = "on >Acl-Secret-7 resetkeys ~mc:* resetchannels &mc:* -@all +get +set +del "
            + "+pexpire +pttl +ping +spublish +ssubscribe +cluster|nodes +cluster|myid +client|setname +info";

    @Test
    void shouldWorkWithTheDocumentedStandaloneAclUser() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            List<String> node = List.of(redis.uri());
            setUser(node, STANDALONE_RULE);
            String uri = "redis://app:Acl-Secret-7@127.0.0.1:" + redis.port();
            twoNodesReadShareWriteAndInvalidate(node, () -> MongoCache.builder().redis(uri));
        }
    }

    @Test
    void shouldWorkWithTheDocumentedClusterAclUser() throws Exception {
        List<String> nodes = io.mongocache.testing.TestRedis.cluster().uris();
        setUser(nodes, CLUSTER_RULE);
        String[] uris = nodes.stream().map(u -> u.replace("redis://", "redis://app:Acl-Secret-7@"))
                .toArray(String[]::new);
        twoNodesReadShareWriteAndInvalidate(nodes, () -> MongoCache.builder().redisCluster(uris));
    }

    private static void setUser(List<String> nodes, String rule) {
        for (String node : nodes) {
            RedisClient admin = RedisClient.create(node);
            try (StatefulRedisConnection<String, String> connection = admin.connect()) {
                connection.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                .add("SETUSER").add("app").add("reset").addValues(List.of(rule.split(" "))));
                connection.sync().aclLogReset();
            } finally {
                admin.shutdown();
            }
        }
    }

    private static void twoNodesReadShareWriteAndInvalidate(List<String> redisNodes,
            java.util.function.Supplier<MongoCacheBuilder> builder) throws Exception {
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("acl"));
        MongoCollection<Document> raw = db.getCollection("docs");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Document("_id", i).append("n", i));
        }
        raw.insertMany(docs);
        try (MongoCache a = builder.get().keyPrefix("mc").build();
                MongoCache b = builder.get().keyPrefix("mc").build()) {
            assertTrue(a.awaitInvalidations(Duration.ofSeconds(10)), "node a's channel is up");
            assertTrue(b.awaitInvalidations(Duration.ofSeconds(10)), "node b's channel is up");
            CachedCollection<Document> onA = a.wrap(raw);
            CachedCollection<Document> onB = b.wrap(raw);
            assertEquals(3, onA.find(eq("_id", 3)).first().getInteger("n"));
            assertEquals(4, onA.countDocuments(gt("n", 5)));
            // Node b finds a's entry in Redis once a's install (sent without waiting) has landed.
            io.mongocache.testing.Await.until(() -> {
                onB.find(eq("_id", 3)).first();
                return b.stats().totals().l2Hits() > 0;
            }, Duration.ofSeconds(10), "an L2 hit on node b");
            onB.updateOne(eq("_id", 3), set("n", 33));
            io.mongocache.testing.Await.until(() -> onA.find(eq("_id", 3)).first().getInteger("n") == 33,
                    Duration.ofSeconds(10), "node a sees node b's write");
            onA.deleteMany(gt("n", 8));
            assertEquals(3, onB.countDocuments(gt("n", 5)), "6, 7 and 8 are left");
            for (MongoCache node : List.of(a, b)) {
                CacheStats stats = node.stats();
                assertTrue(stats.redisAvailable(), stats.toJson());
                assertEquals(0, stats.totals().l2Errors(), stats.toJson());
                assertEquals(0, stats.redisErrors(), stats.toJson());
            }
        } finally {
            db.drop();
        }
        for (String node : redisNodes) {
            RedisClient admin = RedisClient.create(node);
            try (StatefulRedisConnection<String, String> connection = admin.connect()) {
                assertEquals(List.of(), connection.sync().aclLog(), "commands, keys or channels " + node + " refused");
            } finally {
                admin.shutdown();
            }
        }
    }
}

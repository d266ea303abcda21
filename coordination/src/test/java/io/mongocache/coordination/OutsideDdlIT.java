package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drop, rename and dropDatabase made by an outside client, with the leader watching the whole database: every node
 * forgets the namespaces, and writes to a recreated collection invalidate again (the stream was reopened after the
 * event that ended it). With the in-process server the database scope runs one stream per collection (it sends no
 * document events on database-level streams), and a rename reaches the source collection's stream as a drop; a
 * real server (MONGODB_URI or Docker) runs the database-level stream with real rename and dropDatabase events.
 */
class OutsideDdlIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private MongoDatabase app;
    private MongoDatabase state;
    private MongoCache a;
    private MongoCache b;
    private Coordinator coordinator;

    @BeforeEach
    void setUp() throws Exception {
        app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("ddl"));
        state = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state"));
        app.getCollection("c").insertMany(List.of(new Document("_id", 1).append("v", 0),
                new Document("_id", 2).append("v", 0), new Document("_id", 3).append("v", 0)));
        String prefix = "ddl" + System.nanoTime();
        a = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        b = MongoCache.builder().redis(TestRedis.uri()).keyPrefix(prefix).build();
        coordinator = Coordinator.builder().client(TestMongo.client()).cache(a).stateDatabase(state.getName())
                .watch(WatchScope.databases(app.getName())).collectionRefresh(Duration.ofMillis(200))
                .lease(new LeaseSettings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(250)))
                .heartbeatInterval(Duration.ofMillis(300)).start();
        Await.until(() -> coordinator.status().streamsOpen() >= 1, WAIT, "the watcher's streams to open");
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        a.close();
        b.close();
        app.drop();
        state.drop();
    }

    private List<CachedCollection<Document>> both(String collection) {
        return List.of(a.wrap(app.getCollection(collection)), b.wrap(app.getCollection(collection)));
    }

    private static void awaitCount(List<CachedCollection<Document>> nodes, long expected, String what)
            throws InterruptedException {
        for (CachedCollection<Document> node : nodes) {
            Await.until(() -> node.countDocuments() == expected && node.find().into(new java.util.ArrayList<>())
                    .size() == expected, WAIT, what + " (" + expected + " documents on every node)");
        }
    }

    private static void cacheOnEveryNode(List<CachedCollection<Document>> nodes) {
        for (CachedCollection<Document> node : nodes) {
            node.countDocuments();
            node.find().into(new java.util.ArrayList<>());
            node.find(eq("_id", 9)).first();
        }
    }

    /** Caches document 9 on every node, updates it from outside, and waits until every node serves the update. */
    private void updateAndAwait(List<CachedCollection<Document>> nodes, String collection, int v, String what)
            throws InterruptedException {
        cacheOnEveryNode(nodes);
        app.getCollection(collection).updateOne(eq("_id", 9), set("v", v));
        for (CachedCollection<Document> node : nodes) {
            Await.until(() -> node.find(eq("_id", 9)).first().getInteger("v") == v, WAIT, what);
        }
    }

    @Test
    void shouldFlushEveryNodeOnOutsideDropRenameAndDropDatabase() throws Exception {
        List<CachedCollection<Document>> c = both("c");
        List<CachedCollection<Document>> d = both("d");
        awaitCount(c, 3, "the initial documents");

        cacheOnEveryNode(c);
        app.getCollection("c").drop();
        awaitCount(c, 0, "an outside drop");

        cacheOnEveryNode(c);
        app.getCollection("c").insertOne(new Document("_id", 9).append("v", 0));
        awaitCount(c, 1, "an insert into the recreated collection");
        updateAndAwait(c, "c", 1, "an update of the recreated collection");

        cacheOnEveryNode(c);
        cacheOnEveryNode(d);
        app.getCollection("c").renameCollection(new MongoNamespace(app.getName(), "d"));
        awaitCount(c, 0, "the renamed collection's old name");
        awaitCount(d, 1, "the renamed collection's new name");
        updateAndAwait(d, "d", 2, "an update under the new name");

        cacheOnEveryNode(d);
        app.drop();
        awaitCount(d, 0, "an outside dropDatabase");
        cacheOnEveryNode(d);
        app.getCollection("d").insertOne(new Document("_id", 5));
        awaitCount(d, 1, "an insert after dropDatabase");
        System.out.println("ddl: drop, recreate, rename and dropDatabase reached both nodes; watcher " 
                + coordinator.status());
    }
}

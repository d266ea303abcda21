package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * A database scope of 1,000 collections on a server without database-level streams (the in-process server; a real
 * one watches the database with one stream): the per-collection streams run on the coordinator's few stream threads
 * and connections, not one thread and connection each, and an outside write to any of them still invalidates.
 */
class ManyCollectionsIT {
    private static final int COLLECTIONS = 1000;
    private static final int STREAM_THREADS = 2;

    @Test
    void shouldWatchAThousandCollectionsOnAFewThreadsAndConnections() throws Exception {
        assumeFalse(TestMongo.realMongo(), "a real server has database-level streams: one stream, not 1,000");
        MongoDatabase app = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("many"));
        MongoDatabase state = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("state"));
        for (int i = 0; i < COLLECTIONS; i++) {
            app.getCollection("c" + i).insertOne(new Document("_id", 1).append("v", 0));
        }
        try (TcpProxy proxy = TcpProxy.raw(TestMongo.port());
                MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + proxy.port());
                MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).keyPrefix("many" + System.nanoTime())
                        .build();
                Coordinator coordinator = Coordinator.builder().client(client).cache(cache)
                        .stateDatabase(state.getName()).lease(new LeaseSettings(Duration.ofSeconds(6),
                                Duration.ofSeconds(4), Duration.ofMillis(300)))
                        .watch(WatchScope.databases(app.getName())).streamThreads(STREAM_THREADS)
                        .collectionRefresh(Duration.ofSeconds(1)).start()) {
            Await.until(() -> coordinator.status().streamsOpen() == COLLECTIONS, Duration.ofSeconds(90),
                    COLLECTIONS + " streams open");

            List<String> watcherThreads = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("mongocache-watcher-") || t.getName().startsWith("mongocache-streams-")) {
                    watcherThreads.add(t.getName());
                }
            }
            assertTrue(watcherThreads.size() <= STREAM_THREADS, "stream threads: " + watcherThreads);
            // The client's own monitors (2), the elector, the registry and the collection refresh may each hold
            // one; the streams at most one per stream thread.
            assertTrue(proxy.peakConnections() <= STREAM_THREADS + 5,
                    "connections at most: " + proxy.peakConnections());

            for (int i : new int[] {0, 517, COLLECTIONS - 1}) {
                MongoCollection<Document> outside = app.getCollection("c" + i);
                CachedCollection<Document> cached = cache.wrap(outside);
                assertEquals(0, cached.find(eq("_id", 1)).first().getInteger("v"));
                outside.updateOne(eq("_id", 1), set("v", i + 1));
                int expected = i + 1;
                Await.until(() -> cached.find(eq("_id", 1)).first().getInteger("v") == expected,
                        Duration.ofSeconds(10), "the outside write to c" + i);
            }
            assertTrue(coordinator.health().healthy(), coordinator.health().toString());
        } finally {
            app.drop();
            state.drop();
        }
    }
}

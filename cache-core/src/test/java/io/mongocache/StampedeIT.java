package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

/** N concurrent misses for one key across M nodes: at most one MongoDB query per node. */
class StampedeIT {

    @Test
    void shouldLoadOncePerNodeUnderAStampede() throws Exception {
        int nodesCount = 3;
        int threadsPerNode = 8;
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("stampede"));
        List<MongoCache> nodes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(nodesCount * threadsPerNode);
        try {
            MongoCollection<Document> raw = db.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", "x"));
            // A filter slow to encode keeps the first load in flight while every other caller arrives.
            Bson slow = new Bson() {
                @Override
                public <D> BsonDocument toBsonDocument(Class<D> documentClass, CodecRegistry registry) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new BsonDocument("_id", new BsonInt32(1));
                }
            };
            List<CachedCollection<Document>> views = new ArrayList<>();
            for (int n = 0; n < nodesCount; n++) {
                MongoCache node = MongoCache.builder().redis(TestRedis.uri()).build();
                nodes.add(node);
                views.add(node.wrap(raw));
            }
            CyclicBarrier barrier = new CyclicBarrier(nodesCount * threadsPerNode);
            List<Future<Document>> reads = new ArrayList<>();
            for (int n = 0; n < nodesCount; n++) {
                CachedCollection<Document> view = views.get(n);
                for (int t = 0; t < threadsPerNode; t++) {
                    reads.add(pool.submit(() -> {
                        barrier.await();
                        return view.find(slow).first();
                    }));
                }
            }
            for (Future<Document> read : reads) {
                assertEquals("x", read.get().getString("v"));
            }
            long total = 0;
            for (MongoCache node : nodes) {
                long loads = node.stats().totals().loads();
                assertTrue(loads <= 1, "a node ran " + loads + " queries for one key");
                total += loads;
            }
            System.out.printf("stampede: %d concurrent misses on %d nodes -> %d MongoDB queries%n",
                    nodesCount * threadsPerNode, nodesCount, total);
        } finally {
            pool.shutdownNow();
            nodes.forEach(MongoCache::close);
            db.drop();
        }
    }
}

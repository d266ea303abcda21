package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Results above {@code maxResultBytes} are streamed from MongoDB and not cached. */
class LargeResultIT {

    @Test
    void shouldStreamAndNotCacheResultsAboveTheCap() {
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("large"));
        try (MongoCache cache = MongoCache.builder().maxResultBytes(20_000).build()) {
            MongoCollection<Document> raw = db.getCollection("blobs");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                docs.add(new Document("_id", i).append("blob", "x".repeat(1000)));
            }
            raw.insertMany(docs);
            CachedCollection<Document> cached = cache.wrap(raw);

            List<Document> expected = raw.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
            try (MongoCursor<Document> cursor = cached.find().sort(Sorts.ascending("_id")).batchSize(50).cursor()) {
                List<Document> seen = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    seen.add(cursor.next());
                }
                // Past the buffered prefix the caller reads a live server cursor, not a buffered copy.
                assertNotNull(cursor.getServerCursor(), "an over-large result must stay a live cursor");
                cursor.forEachRemaining(seen::add);
                assertEquals(expected, seen);
            }
            assertEquals(expected, cached.find().sort(Sorts.ascending("_id")).into(new ArrayList<>()));
            NamespaceStats stats = cache.stats().namespace(raw.getNamespace().getFullName());
            assertEquals(2, stats.uncacheable());
            assertEquals(2, stats.loads());
            assertEquals(0, stats.l1Hits());

            // A result under the cap is still cached.
            List<Document> small = cached.find().sort(Sorts.ascending("_id")).limit(5).into(new ArrayList<>());
            assertEquals(small, cached.find().sort(Sorts.ascending("_id")).limit(5).into(new ArrayList<>()));
            assertTrue(cache.stats().namespace(raw.getNamespace().getFullName()).l1Hits() >= 1);
        } finally {
            db.drop();
        }
    }

    @Test
    void shouldNotCacheAFirstDocumentLargerThanTheCap() {
        MongoDatabase db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("large"));
        try (MongoCache cache = MongoCache.builder().maxResultBytes(2_000).build()) {
            MongoCollection<Document> raw = db.getCollection("blobs");
            raw.insertOne(new Document("_id", 1).append("blob", "x".repeat(10_000)));
            raw.insertOne(new Document("_id", 2).append("blob", "small"));
            CachedCollection<Document> cached = cache.wrap(raw);

            assertEquals(raw.find(com.mongodb.client.model.Filters.eq("_id", 1)).first(),
                    cached.find(com.mongodb.client.model.Filters.eq("_id", 1)).first());
            assertEquals(raw.find(com.mongodb.client.model.Filters.eq("_id", 1)).first(),
                    cached.find(com.mongodb.client.model.Filters.eq("_id", 1)).first());
            NamespaceStats stats = cache.stats().namespace(raw.getNamespace().getFullName());
            assertEquals(2, stats.loads(), "each first() of the over-large document went to MongoDB");
            assertEquals(2, stats.uncacheable());
            assertEquals(0, stats.l1Hits());
            assertEquals(0, stats.l1Bytes(), "nothing over the cap is held");

            cached.find(com.mongodb.client.model.Filters.eq("_id", 2)).first();
            cached.find(com.mongodb.client.model.Filters.eq("_id", 2)).first();
            assertEquals(1, cache.stats().namespace(raw.getNamespace().getFullName()).l1Hits(),
                    "a small first() is still cached");
        } finally {
            db.drop();
        }
    }
}

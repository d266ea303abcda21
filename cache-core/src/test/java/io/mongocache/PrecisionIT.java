package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Promise 5: a write to one document does not evict cached point reads of other documents — and no more. */
class PrecisionIT {
    private MongoDatabase db;
    private MongoCollection<Document> raw;
    private MongoCache cache;
    private CachedCollection<Document> c;

    @BeforeEach
    void setUp() {
        db = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("precision"));
        raw = db.getCollection("c");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Document("_id", i).append("v", 0).append("s", "k" + i));
        }
        raw.insertMany(docs);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        db.drop();
    }

    private void build(String tiers) {
        var builder = MongoCache.builder();
        if (!tiers.equals("L1")) {
            builder.redis(TestRedis.uri());
        }
        if (tiers.equals("REDIS_ONLY")) {
            builder.maxLocalBytes(0);
        }
        cache = builder.build();
        c = cache.wrap(raw);
    }

    private long loads() {
        NamespaceStats s = cache.stats().namespace(raw.getNamespace().getFullName());
        return s.loads();
    }

    private int v(int id) {
        return c.find(eq("_id", id)).first().getInteger("v");
    }

    @ParameterizedTest
    @ValueSource(strings = {"L1", "L1_AND_REDIS", "REDIS_ONLY"})
    void shouldKeepOtherPointReadsAcrossWritesById(String tiers) throws InterruptedException {
        build(tiers);
        cache.awaitInvalidations(java.time.Duration.ofSeconds(5));
        for (int i = 0; i < 10; i++) {
            v(i);
        }
        long countBefore = c.countDocuments(gt("v", -1));
        long loads = loads();
        c.updateOne(eq("_id", 3), set("v", 1));
        c.replaceOne(eq("_id", 4), new Document("_id", 4).append("v", 2));
        c.findOneAndUpdate(eq("_id", 5), set("v", 3));
        c.deleteOne(eq("_id", 6));
        c.insertOne(new Document("_id", 10).append("v", 4));
        c.bulkWrite(List.of(new UpdateOneModel<>(eq("_id", 7), set("v", 5)),
                new InsertOneModel<>(new Document("_id", 11).append("v", 6)),
                new DeleteOneModel<>(in("_id", 8))), new BulkWriteOptions());
        // Untouched documents: still served from the cache.
        for (int id : new int[] {0, 1, 2, 9}) {
            assertEquals(0, v(id));
        }
        assertEquals(loads, loads(), "point reads of untouched documents must stay cached");
        // Touched documents and non-point reads: fresh.
        assertEquals(1, v(3));
        assertEquals(2, v(4));
        assertEquals(3, v(5));
        assertEquals(null, c.find(eq("_id", 6)).first());
        assertEquals(5, v(7));
        assertEquals(null, c.find(eq("_id", 8)).first());
        assertEquals(4, v(10));
        assertEquals(countBefore - 2 + 2, c.countDocuments(gt("v", -1)));
        assertEquals(loads + 8, loads());
    }

    @ParameterizedTest
    @ValueSource(strings = {"L1", "L1_AND_REDIS"})
    void shouldInvalidatePointReadsOfNumericallyEqualIds(String tiers) {
        build(tiers);
        assertEquals(0, v(2));
        c.updateOne(eq("_id", 2L), set("v", 7));
        assertEquals(7, v(2));
        c.updateOne(eq("_id", 2.0), set("v", 8));
        assertEquals(8, v(2));
        assertEquals(8, c.find(in("_id", 2L, 99)).first().getInteger("v"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"L1", "L1_AND_REDIS"})
    void shouldInvalidateTheNamespaceForWritesThatAreNotById(String tiers) {
        build(tiers);
        assertEquals(0, v(1));
        long loads = loads();
        c.updateMany(eq("s", "k9"), set("v", 9));
        assertEquals(0, v(1));
        assertEquals(loads + 1, loads(), "a filter-based write invalidates every point read");
        c.updateOne(eq("_id", 1), set("v", 1), new UpdateOptions().collation(Collation.builder().locale("en").build()));
        assertEquals(1, v(1));
        c.updateOne(eq("s", "new"), set("v", 11), new UpdateOptions().upsert(true));
        assertEquals(1, c.countDocuments(eq("s", "new")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"L1", "L1_AND_REDIS"})
    void shouldSeeUpsertsById(String tiers) {
        build(tiers);
        assertEquals(null, c.find(eq("_id", 50)).first());
        c.updateOne(eq("_id", 50), set("v", 50), new UpdateOptions().upsert(true));
        assertEquals(50, v(50));
    }
}

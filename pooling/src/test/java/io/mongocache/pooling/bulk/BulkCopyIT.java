package io.mongocache.pooling.bulk;

import static io.mongocache.pooling.bulk.BulkAssertions.assertSameDocuments;
import static io.mongocache.pooling.bulk.BulkAssertions.collectionNames;
import static io.mongocache.pooling.bulk.BulkAssertions.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

/** copyDatabase: documents byte for byte, indexes except _id_, on one server and between two. */
class BulkCopyIT extends BulkIntegrationTest {

    private final BulkTasks tasks = new BulkTasks(client::getDatabase);



    private static void fill(MongoDatabase database) {
        database.getCollection("everything", RawBsonDocument.class)
                .insertMany(EveryBsonType.documents(TestMongo.realMongo()));
        var orders = database.getCollection("orders");
        for (int i = 0; i < 120; i++) {
            orders.insertOne(new Document("_id", i).append("customer", "c" + (i % 7)).append("total", i * 1.25)
                    .append("code", "ORD-" + i));
        }
        orders.createIndex(Indexes.ascending("code"), new IndexOptions().unique(true).name("code_unique"));
        orders.createIndex(Indexes.compoundIndex(Indexes.ascending("customer"), Indexes.descending("total")));
        orders.createIndex(Indexes.ascending("total"), new IndexOptions().partialFilterExpression(Filters.gt("total", 10))
                .expireAfter(60L, TimeUnit.SECONDS).name("ttl_partial"));
        database.createCollection("empty");
    }

    @Test
    void copiesDocumentsByteForByteAndEveryIndexButIdWithinOneServer() {
        MongoDatabase source = newDatabase("copy_src");
        fill(source);
        MongoDatabase target = newDatabase("copy_dst");
        tasks.batchSize(50);

        CopyReport report = tasks.copyDatabase(source.getName(), target.getName());

        assertSameDocuments(source, target, "everything");
        assertSameDocuments(source, target, "orders");
        assertEquals(indexes(source, "orders"), indexes(target, "orders"));
        assertEquals(3, indexes(target, "orders").size());
        assertEquals(Set.of("empty", "everything", "orders"), collectionNames(target));
        assertEquals(3, report.collections());
        assertEquals(EveryBsonType.documents(TestMongo.realMongo()).size() + 120, report.documents());
        assertEquals(3, report.indexes());
        assertTrue(report.bytes() > 120 * 40, "bytes " + report.bytes());
    }

    @Test
    void copiesBetweenTwoSeparateServers() {
        try (MongoServerHandle serverA = TestMongo.startInProcess();
             MongoServerHandle serverB = TestMongo.startInProcess();
             MongoClient clientA = serverA.newClient();
             MongoClient clientB = serverB.newClient()) {
            // One name space for the task, two servers behind it: "a_…" lives on A, "b_…" on B.
            Map<String, MongoClient> byPrefix = Map.of("a", clientA, "b", clientB);
            BulkTasks twoServers = new BulkTasks(name -> byPrefix.get(name.substring(0, 1)).getDatabase(name))
                    .batchSize(16);
            MongoDatabase source = clientA.getDatabase("a_shop");
            // The in-process servers are separate from the shared backend, so every type it accepts goes.
            source.getCollection("everything", RawBsonDocument.class).insertMany(EveryBsonType.documents(false));
            var orders = source.getCollection("orders");
            for (int i = 0; i < 40; i++) {
                orders.insertOne(new Document("_id", i).append("code", "ORD-" + i));
            }
            orders.createIndex(Indexes.ascending("code"), new IndexOptions().unique(true));
            MongoDatabase target = clientB.getDatabase("b_shop");
            target.getCollection("orders").insertOne(new Document("_id", "old"));
            target.getCollection("kept").insertOne(new Document("_id", "kept"));

            CopyReport report = twoServers.copyDatabase("a_shop", "b_shop");

            assertSameDocuments(source, target, "everything");
            assertSameDocuments(source, target, "orders");
            assertEquals(indexes(source, "orders"), indexes(target, "orders"));
            assertEquals(Set.of("everything", "kept", "orders"), collectionNames(target));
            assertEquals(List.of(new Document("_id", "kept")), target.getCollection("kept").find().into(new ArrayList<>()));
            assertFalse(clientA.listDatabaseNames().into(new ArrayList<>()).contains("b_shop"), "nothing written to A");
            assertEquals(2, report.collections());
        }
    }

    @Test
    void copyOfAnEmptyDatabaseCopiesNothing() {
        MongoDatabase target = newDatabase("copy_dst");
        target.getCollection("kept").insertOne(new Document("_id", 1));

        CopyReport report = tasks.copyDatabase(TestMongo.uniqueDatabaseName("copy_nothing"), target.getName());

        assertEquals(0, report.collections());
        assertEquals(Set.of("kept"), collectionNames(target));
    }

    @Test
    void copyRejectsBadArguments() {
        BulkTasks unused = new BulkTasks(name -> {
            throw new AssertionError("no database should be resolved for bad arguments");
        });
        assertEquals("target must differ from source, but both are 'x'",
                assertThrows(IllegalArgumentException.class, () -> unused.copyDatabase("x", "x")).getMessage());
        assertEquals("source must not be null",
                assertThrows(IllegalArgumentException.class, () -> unused.copyDatabase(null, "x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> unused.copyDatabase("x", "a.b"))
                .getMessage().startsWith("target must be a database name without any of"));
        assertEquals("progress must not be null",
                assertThrows(IllegalArgumentException.class, () -> unused.copyDatabase("x", "y", null)).getMessage());
    }

    @Test
    void indexSpecificationsArePassedVerbatim() {
        MongoDatabase source = newDatabase("copy_src");
        source.getCollection("c").insertOne(new Document("_id", 1));
        // An option the server keeps but a typed driver API would not know: it must survive unchanged.
        source.runCommand(new Document("createIndexes", "c").append("indexes", List.of(new Document("key",
                new Document("x", 1)).append("name", "x_hidden").append("hidden", true))));
        MongoDatabase target = newDatabase("copy_dst");

        tasks.copyDatabase(source.getName(), target.getName());

        List<BsonDocument> copied = indexes(target, "c");
        assertEquals(indexes(source, "c"), copied);
        assertEquals(true, copied.get(0).getBoolean("hidden").getValue());
    }
}

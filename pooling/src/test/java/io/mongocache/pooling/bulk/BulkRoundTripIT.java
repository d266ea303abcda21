package io.mongocache.pooling.bulk;

import static io.mongocache.pooling.bulk.BulkAssertions.assertSameDocuments;
import static io.mongocache.pooling.bulk.BulkAssertions.collectionNames;
import static io.mongocache.pooling.bulk.BulkAssertions.documentsById;
import static io.mongocache.pooling.bulk.BulkAssertions.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CollationStrength;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.mongocache.testing.TestMongo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

/** Export then import gives back the same bytes, the same indexes, and reports what it did. */
class BulkRoundTripIT extends BulkIntegrationTest {

    private static final String EVERYTHING = "everything";

    private final BulkTasks tasks = new BulkTasks(client::getDatabase);



    /** A database with every BSON type, an empty collection and a collection with many kinds of index. */
    private MongoDatabase sourceDatabase() {
        MongoDatabase source = newDatabase("bulk_src");
        source.getCollection(EVERYTHING, RawBsonDocument.class).insertMany(EveryBsonType.documents(TestMongo.realMongo()));
        source.createCollection("empty");
        var people = source.getCollection("people");
        for (int i = 0; i < 25; i++) {
            people.insertOne(new Document("_id", i).append("email", "p" + i + "@example.com")
                    .append("age", 20 + i).append("nick", i % 2 == 0 ? "n" + i : null).append("seen", new java.util.Date()));
        }
        people.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true));
        people.createIndex(Indexes.compoundIndex(Indexes.descending("age"), Indexes.ascending("email")),
                new IndexOptions().name("age_desc_email"));
        people.createIndex(Indexes.ascending("nick"), new IndexOptions().sparse(true));
        people.createIndex(Indexes.ascending("seen"), new IndexOptions().expireAfter(3600L, TimeUnit.SECONDS));
        people.createIndex(Indexes.ascending("age"), new IndexOptions().name("adults")
                .partialFilterExpression(Filters.gte("age", 18)));
        people.createIndex(Indexes.ascending("email", "nick"), new IndexOptions().name("email_ci")
                .collation(Collation.builder().locale("en").collationStrength(CollationStrength.SECONDARY).build()));
        return source;
    }

    @Test
    void inMemoryExportAndImportGiveByteIdenticalDocumentsAndTheSameIndexes() {
        MongoDatabase source = sourceDatabase();
        MongoDatabase target = newDatabase("bulk_dst");

        String data = tasks.export(source.getName());
        ImportReport report = tasks.importInto(target.getName(), data);

        assertSameDocuments(source, target, EVERYTHING);
        assertSameDocuments(source, target, "people");
        assertEquals(indexes(source, "people"), indexes(target, "people"));
        assertEquals(Set.of(EVERYTHING, "empty", "people"), collectionNames(target));
        long documents = EveryBsonType.documents(TestMongo.realMongo()).size() + 25;
        assertEquals(3, report.collections());
        assertEquals(documents, report.documents());
        assertEquals(6, report.indexes());
        assertEquals(data.getBytes(StandardCharsets.UTF_8).length, report.bytes());
    }

    @Test
    void streamingExportAndImportGiveByteIdenticalDocuments() {
        MongoDatabase source = sourceDatabase();
        MongoDatabase target = newDatabase("bulk_dst");
        tasks.batchSize(7); // several batches per collection, and a last one that is not full

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportReport exported = tasks.exportTo(source.getName(), out, ProgressListener.NONE);
        ImportReport imported = tasks.importFrom(target.getName(), new ByteArrayInputStream(out.toByteArray()),
                ProgressListener.NONE);

        assertSameDocuments(source, target, EVERYTHING);
        assertSameDocuments(source, target, "people");
        assertEquals(indexes(source, "people"), indexes(target, "people"));
        assertEquals(out.size(), exported.bytes());
        assertEquals(out.size(), imported.bytes());
        assertEquals(exported.collections(), imported.collections());
        assertEquals(exported.documents(), imported.documents());
        assertEquals(exported.indexes(), imported.indexes());
        // The streamed export is the in-memory one, byte for byte.
        assertEquals(tasks.export(source.getName()), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exportLinesHaveTheDocumentedShapes() {
        MongoDatabase source = newDatabase("bulk_shape");
        source.getCollection("users").insertOne(new Document("_id", 1).append("name", "Ann").append("age", 41));
        source.getCollection("users").createIndex(Indexes.ascending("name"), new IndexOptions().unique(true));
        source.createCollection("orders");

        String[] lines = tasks.export(source.getName()).split("\n", -1);

        assertEquals(List.of(
                "{\"mongocacheExport\":1,\"database\":\"" + source.getName() + "\"}",
                "{\"collection\":\"orders\",\"options\":{}}",
                "{\"endCollection\":\"orders\",\"documents\":0,\"indexes\":0}",
                "{\"collection\":\"users\",\"options\":{}}",
                "{\"index\":{\"key\": {\"name\": {\"$numberInt\": \"1\"}}, \"name\": \"name_1\", \"unique\": true}}",
                "{\"doc\":{\"_id\": {\"$numberInt\": \"1\"}, \"name\": \"Ann\", \"age\": {\"$numberInt\": \"41\"}}}",
                "{\"endCollection\":\"users\",\"documents\":1,\"indexes\":1}",
                "{\"endExport\":\"" + source.getName() + "\",\"collections\":2,\"documents\":1,\"indexes\":1}",
                ""), List.of(lines));
    }

    @Test
    void importReplacesCollectionsOfTheSameNameAndKeepsTheOthers() {
        MongoDatabase source = newDatabase("bulk_src");
        source.getCollection("shared").insertOne(new Document("_id", "new"));
        MongoDatabase target = newDatabase("bulk_dst");
        target.getCollection("shared").insertMany(List.of(new Document("_id", "old1"), new Document("_id", "old2")));
        target.getCollection("shared").createIndex(Indexes.ascending("oldField"));
        target.getCollection("unrelated").insertOne(new Document("_id", "kept"));

        tasks.importInto(target.getName(), tasks.export(source.getName()));

        assertEquals(List.of(new Document("_id", "new")), target.getCollection("shared").find().into(new ArrayList<>()));
        assertEquals(List.of(), indexes(target, "shared"), "the old collection's indexes went with it");
        assertEquals(List.of(new Document("_id", "kept")), target.getCollection("unrelated").find().into(new ArrayList<>()));
        assertEquals(Set.of("shared", "unrelated"), collectionNames(target));
    }

    @Test
    void systemCollectionsAreNotExported() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestMongo.realMongo(),
                "mongo-java-server refuses writes to system.* collections");
        MongoDatabase source = newDatabase("bulk_sys");
        source.getCollection("system.js").insertOne(new Document("_id", "f").append("value", 1));
        source.getCollection("plain").insertOne(new Document("_id", 1));

        String data = tasks.export(source.getName());

        assertTrue(data.contains("\"collection\":\"plain\""), data);
        assertTrue(!data.contains("system.js"), data);
    }

    @Test
    void documentsKeepTheirIdTypesAndOrder() {
        MongoDatabase source = sourceDatabase();
        MongoDatabase target = newDatabase("bulk_dst");

        tasks.importInto(target.getName(), tasks.export(source.getName()));

        List<RawBsonDocument> imported = documentsById(target, EVERYTHING);
        assertEquals(documentsById(source, EVERYTHING).stream().map(d -> d.get("_id")).toList(),
                imported.stream().map(d -> d.get("_id")).toList());
    }
}

package io.mongocache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.OperationType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class MongoBackendIT {

    @Test
    void announcesTheChosenBackend() {
        String line = TestMongo.announcement();
        assertTrue(line.matches("mongocache tests: MongoDB backend = (URI|TESTCONTAINERS|IN_PROCESS) \\(.+\\)"), line);
        assertTrue(line.contains(TestMongo.backend().name()));
        if (TestMongo.backend() == TestMongo.Backend.IN_PROCESS) {
            assertTrue(line.matches(".*\\(mongo-java-server \\d+\\.\\d+\\.\\d+ with oplog\\)"), line);
        }
        assertEquals(TestMongo.backend() != TestMongo.Backend.IN_PROCESS, TestMongo.realMongo());
        if (!TestMongo.realMongo()) {
            assertFalse(TestMongo.supportsSessions());
            assertFalse(TestMongo.supportsTransactions());
        }
    }

    @Test
    void sharedClientPingsAndStoresDocuments() {
        MongoClient client = TestMongo.client();
        assertSame(client, TestMongo.client());
        assertEquals(1.0, ((Number) client.getDatabase("admin").runCommand(new Document("ping", 1)).get("ok")).doubleValue());

        MongoDatabase database = client.getDatabase(TestMongo.uniqueDatabaseName("MongoBackendIT"));
        try {
            MongoCollection<Document> people = database.getCollection("people");
            people.insertOne(new Document("_id", 1).append("name", "Ada"));
            people.insertOne(new Document("_id", 2).append("name", "Grace"));
            assertEquals("Grace", people.find(Filters.eq("_id", 2)).first().getString("name"));
            assertEquals(2, people.countDocuments());
        } finally {
            database.drop();
        }
    }

    @Test
    void newClientIsSeparateAndClosable() {
        try (MongoClient own = TestMongo.newClient()) {
            assertNotEquals(TestMongo.client(), own);
            assertNotNull(own.getDatabase("admin").runCommand(new Document("ping", 1)));
        }
        // The shared client is unaffected.
        TestMongo.client().getDatabase("admin").runCommand(new Document("ping", 1));
    }

    @Test
    void uniqueDatabaseNamesAreValidAndDistinct() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            names.add(TestMongo.uniqueDatabaseName("Some.Test$Class/with \"odd\" chars and a very long name indeed"));
        }
        assertEquals(100, names.size());
        for (String name : names) {
            assertTrue(name.matches("[A-Za-z0-9_-]+"), name);
            assertTrue(name.length() < 64, name);
        }
    }

    /**
     * The part of change streams every backend gets right, which is what invalidation may rely on:
     * event order and types, the _id of inserts and deletes, and the _id of updates through
     * {@code fullDocument: updateLookup} (while the document still exists).
     */
    @Test
    void changeStreamsReportInsertUpdateAndDelete() {
        MongoDatabase database = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("changeStream"));
        try {
            MongoCollection<Document> items = database.getCollection("items");
            items.insertOne(new Document("_id", 0)); // the collection must exist on real servers
            List<ChangeStreamDocument<Document>> events;
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = items.watch()
                    .fullDocument(FullDocument.UPDATE_LOOKUP)
                    .maxAwaitTime(100, TimeUnit.MILLISECONDS)
                    .cursor()) {
                items.insertOne(new Document("_id", 1).append("v", 1));
                items.updateOne(Filters.eq("_id", 1), Updates.set("v", 2));
                // Read before deleting: updateLookup fetches the document when the event is read.
                events = new ArrayList<>(next(stream, 2));
                items.deleteOne(Filters.eq("_id", 1));
                events.addAll(next(stream, 1));
            }
            assertEquals(List.of(OperationType.INSERT, OperationType.UPDATE, OperationType.DELETE),
                    events.stream().map(ChangeStreamDocument::getOperationType).toList());
            assertEquals(1, events.get(0).getDocumentKey().getInt32("_id").getValue());
            assertEquals(new Document("_id", 1).append("v", 2), events.get(1).getFullDocument());
            assertEquals(1, events.get(2).getDocumentKey().getInt32("_id").getValue());
            events.forEach(event -> assertNotNull(event.getResumeToken()));
        } finally {
            database.drop();
        }
    }

    /**
     * Pins mongo-java-server's known deviations so that other modules' authors can rely on this
     * list, and so an upgrade that fixes them is noticed: an update event's documentKey is the
     * update document rather than {_id}, and events carry no namespace.
     */
    @Test
    void inProcessUpdateEventsCarryTheUpdateSpecInsteadOfTheDocumentKey() {
        assumeFalse(TestMongo.realMongo(), "only the in-process server deviates");
        MongoDatabase database = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("quirks"));
        try {
            MongoCollection<Document> items = database.getCollection("items");
            items.insertOne(new Document("_id", 1));
            List<ChangeStreamDocument<Document>> events;
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream =
                    items.watch().maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor()) {
                items.updateOne(Filters.eq("_id", 1), Updates.set("v", 2));
                events = next(stream, 1);
            }
            ChangeStreamDocument<Document> update = events.get(0);
            assertEquals(OperationType.UPDATE, update.getOperationType());
            assertFalse(update.getDocumentKey().containsKey("_id"), "documentKey = " + update.getDocumentKey());
            assertTrue(update.getDocumentKey().containsKey("$set"), "documentKey = " + update.getDocumentKey());
            assertNull(update.getNamespaceDocument());
        } finally {
            database.drop();
        }
    }

    private static List<ChangeStreamDocument<Document>> next(
            MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream, int count) {
        List<ChangeStreamDocument<Document>> events = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.size() < count && System.nanoTime() < deadline) {
            ChangeStreamDocument<Document> event = stream.tryNext();
            if (event != null) {
                events.add(event);
            }
        }
        assertEquals(count, events.size(), "change events within 10 s: " + events);
        return events;
    }

    @Test
    void separateInProcessServerStartsEmptyAndStops() {
        String connectionString;
        try (MongoServerHandle server = TestMongo.startInProcess(); MongoClient client = server.newClient()) {
            connectionString = server.connectionString();
            assertEquals("mongodb://127.0.0.1:" + server.port(), connectionString);
            assertNotEquals(TestMongo.connectionString(), connectionString);
            MongoCollection<Document> collection = client.getDatabase("own").getCollection("c");
            assertEquals(0, collection.countDocuments());
            collection.insertOne(new Document("x", 1));
            assertEquals(1, collection.countDocuments());
        }
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(connectionString))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(300, TimeUnit.MILLISECONDS))
                .build();
        try (MongoClient client = MongoClients.create(settings)) {
            assertThrows(MongoException.class, () -> client.getDatabase("admin").runCommand(new Document("ping", 1)));
        }
    }
}

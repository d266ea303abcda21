package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/** Comparisons the bulk-task tests share. */
final class BulkAssertions {

    private BulkAssertions() {}

    /** The documents of a collection in {@code _id} order, as the bytes the server returns. */
    static List<RawBsonDocument> documentsById(MongoDatabase database, String collection) {
        return database.getCollection(collection, RawBsonDocument.class).find().sort(Sorts.ascending("_id"))
                .into(new ArrayList<>());
    }

    /** Both collections hold the same documents, byte for byte, in {@code _id} order. */
    static void assertSameDocuments(MongoDatabase expected, MongoDatabase actual, String collection) {
        assertSameDocuments(documentsById(expected, collection), documentsById(actual, collection), collection);
    }

    static void assertSameDocuments(List<RawBsonDocument> expected, List<RawBsonDocument> actual, String collection) {
        assertEquals(expected.size(), actual.size(), "documents in " + collection);
        for (int i = 0; i < expected.size(); i++) {
            RawBsonDocument want = expected.get(i);
            RawBsonDocument got = actual.get(i);
            assertArrayEquals(EveryBsonType.bytes(want), EveryBsonType.bytes(got),
                    () -> collection + ": bytes differ\nexpected " + EveryBsonType.json(want)
                            + "\nactual   " + EveryBsonType.json(got));
        }
    }

    /** Index specifications except {@code _id_}, without {@code v} and {@code ns}, by name. */
    static List<BsonDocument> indexes(MongoDatabase database, String collection) {
        List<BsonDocument> indexes = new ArrayList<>();
        for (BsonDocument index : database.getCollection(collection).listIndexes(BsonDocument.class)) {
            if (!"_id_".equals(index.getString("name").getValue())) {
                index.remove("v");
                index.remove("ns");
                indexes.add(index);
            }
        }
        indexes.sort((a, b) -> a.getString("name").getValue().compareTo(b.getString("name").getValue()));
        return indexes;
    }

    static Set<String> collectionNames(MongoDatabase database) {
        return database.listCollectionNames().into(new TreeSet<>());
    }
}

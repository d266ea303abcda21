package io.mongocache.pooling.bulk;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which collections of a database an export or copy takes, with their options and indexes. */
final class SourceCollections {

    private static final Logger LOG = LoggerFactory.getLogger(SourceCollections.class);
    private static final String ID_INDEX = "_id_";

    private SourceCollections() {}

    /** A collection to export or copy: its name and its {@code listCollections} options, verbatim. */
    record SourceCollection(String name, BsonDocument options) {}

    /**
     * The collections of {@code database}, sorted by name so exports are reproducible. Left out:
     * {@code system.*}, temporary collections of an import or copy in progress, and anything that
     * is not a plain collection (views and time-series collections, which cannot be filled with
     * {@code insertMany} into a renamed temporary); those are logged.
     */
    static List<SourceCollection> list(MongoDatabase database) {
        List<SourceCollection> collections = new ArrayList<>();
        for (BsonDocument info : database.listCollections(BsonDocument.class)) {
            String name = info.getString("name").getValue();
            if (ExportFormat.isSkippedCollection(name)) {
                continue;
            }
            // Servers before 3.4 and mongo-java-server may omit "type"; those are plain collections.
            String type = info.containsKey("type") ? info.getString("type").getValue() : "collection";
            if (!"collection".equals(type)) {
                LOG.warn("skipping {} '{}' of database '{}': only plain collections are exported and copied",
                        type, name, database.getName());
                continue;
            }
            BsonValue options = info.get("options");
            collections.add(new SourceCollection(name,
                    options != null && options.isDocument() ? options.asDocument() : new BsonDocument()));
        }
        collections.sort(Comparator.comparing(SourceCollection::name));
        return collections;
    }

    /**
     * Every index of {@code collection} except {@code _id_} (which every collection has anyway), as
     * {@code listIndexes} reports it minus {@code v} and {@code ns}: the server picks the index
     * version itself and {@code ns} names the old namespace.
     */
    static List<BsonDocument> indexes(MongoCollection<?> collection) {
        List<BsonDocument> indexes = new ArrayList<>();
        for (BsonDocument specification : collection.listIndexes(BsonDocument.class)) {
            BsonDocument cleaned = withoutServerFields(specification);
            if (!isIdIndex(cleaned)) {
                indexes.add(cleaned);
            }
        }
        return indexes;
    }

    /** Whether a specification is the {@code _id_} index, which an import skips. */
    static boolean isIdIndex(BsonDocument specification) {
        BsonValue name = specification.get("name");
        return name != null && name.isString() && ID_INDEX.equals(name.asString().getValue());
    }

    /** A copy of {@code specification} without {@code v} and {@code ns}, other fields in their order. */
    static BsonDocument withoutServerFields(BsonDocument specification) {
        BsonDocument cleaned = new BsonDocument();
        for (var field : specification.entrySet()) {
            if (!"v".equals(field.getKey()) && !"ns".equals(field.getKey())) {
                cleaned.append(field.getKey(), field.getValue());
            }
        }
        return cleaned;
    }
}

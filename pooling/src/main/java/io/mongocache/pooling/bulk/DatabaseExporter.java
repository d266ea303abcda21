package io.mongocache.pooling.bulk;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/**
 * Streams one database out as JSON Lines (shapes on {@link BulkTasks}).
 *
 * <p>Failure modes: memory is one cursor batch plus a write buffer, whatever the database size.
 * The export is not a snapshot: documents written while it runs may or may not be in it, as with
 * any cursor. A failing output stream surfaces as {@code UncheckedIOException} and the cursor is
 * closed; what was written so far lacks its {@code endExport} line, so an import of it fails as
 * truncated instead of loading part of the data.
 */
final class DatabaseExporter {

    private static final int WRITE_BUFFER_CHARS = 64 * 1024;

    private DatabaseExporter() {}

    static ExportReport export(MongoDatabase database, OutputStream out, int batchSize, ProgressListener progress) {
        long started = System.nanoTime();
        CountingOutputStream counted = new CountingOutputStream(out);
        ExportLineWriter lines = new ExportLineWriter(
                new BufferedWriter(new OutputStreamWriter(counted, StandardCharsets.UTF_8), WRITE_BUFFER_CHARS));
        lines.header(database.getName());
        int collections = 0;
        long documents = 0;
        int indexes = 0;
        for (SourceCollections.SourceCollection source : SourceCollections.list(database)) {
            MongoCollection<RawBsonDocument> collection = database.getCollection(source.name(), RawBsonDocument.class);
            lines.collection(source.name(), source.options());
            List<BsonDocument> specifications = SourceCollections.indexes(collection);
            specifications.forEach(lines::index);
            long collectionDocuments = 0;
            long reported = -1;
            try (MongoCursor<RawBsonDocument> cursor = collection.find().batchSize(batchSize).iterator()) {
                while (cursor.hasNext()) {
                    lines.document(cursor.next());
                    collectionDocuments++;
                    if (collectionDocuments % batchSize == 0) {
                        // Flushed so the byte count is true and a slow stream pushes back per batch.
                        lines.flush();
                        progress.onBatch(source.name(), collectionDocuments, documents + collectionDocuments, counted.count());
                        reported = collectionDocuments;
                    }
                }
            }
            lines.endCollection(source.name(), collectionDocuments, specifications.size());
            lines.flush();
            documents += collectionDocuments;
            indexes += specifications.size();
            collections++;
            if (reported != collectionDocuments) {
                progress.onBatch(source.name(), collectionDocuments, documents, counted.count());
            }
        }
        lines.endExport(database.getName(), collections, documents, indexes);
        lines.flush();
        return new ExportReport(collections, documents, indexes, counted.count(),
                Duration.ofNanos(System.nanoTime() - started));
    }
}

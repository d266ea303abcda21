package io.mongocache.pooling.bulk;

import io.mongocache.exceptions.MongoCacheException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import java.time.Duration;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/**
 * Copies every collection of one database into another, which may be on a different client,
 * streaming raw BSON: documents are never decoded, so they arrive byte for byte.
 *
 * <p>Failure modes: like an import, each collection loads into a temporary of the target (see
 * {@link Staging}) and all are renamed into place only after every collection is complete; on a
 * failure the temporaries are dropped and the exception rethrown (a document or index the target
 * refuses as {@code MongoCacheException}, server and network errors as they are). The copy is
 * not a snapshot of the source. Memory: one cursor batch and one insert batch.
 */
final class DatabaseCopier {

    private DatabaseCopier() {}

    static CopyReport copy(MongoDatabase source, MongoDatabase target, int batchSize, ProgressListener progress) {
        long started = System.nanoTime();
        Staging staging = new Staging(target, batchSize);
        int collections = 0;
        long documents = 0;
        int indexes = 0;
        long bytes = 0;
        try {
            for (SourceCollections.SourceCollection collection : SourceCollections.list(source)) {
                MongoCollection<RawBsonDocument> from = source.getCollection(collection.name(), RawBsonDocument.class);
                StagedCollection to = staging.stage(collection.name(), collection.options(), 0);
                for (BsonDocument specification : SourceCollections.indexes(from)) {
                    to.addIndex(specification, 0);
                }
                long reported = -1;
                try (MongoCursor<RawBsonDocument> cursor = from.find().batchSize(batchSize).iterator()) {
                    while (cursor.hasNext()) {
                        if (to.add(cursor.next(), to.documents() + 1)) {
                            reported = to.documents();
                            progress.onBatch(collection.name(), to.documents(), documents + to.documents(),
                                    bytes + to.bytes());
                        }
                    }
                }
                to.finish();
                collections++;
                documents += to.documents();
                indexes += to.indexes();
                bytes += to.bytes();
                if (reported != to.documents()) {
                    progress.onBatch(collection.name(), to.documents(), documents, bytes);
                }
            }
            staging.publishAll();
        } catch (RejectedInputException e) {
            MongoCacheException failure = new MongoCacheException("copying database '" + source.getName()
                    + "' to '" + target.getName() + "' failed: " + e.getMessage()
                    + (e.origin() > 0 ? " (document number " + e.origin() + " of the collection)" : ""), e.getCause());
            staging.discardAll(failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            staging.discardAll(e);
            throw e;
        }
        return new CopyReport(collections, documents, indexes, bytes, Duration.ofNanos(System.nanoTime() - started));
    }
}

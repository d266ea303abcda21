package io.mongocache.pooling.bulk;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoNamespace;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;

/**
 * One collection being loaded by an import or copy: documents go into a temporary collection
 * {@code <name>.__importing_<run>} in batches, its indexes are built once all documents are in,
 * and only then is it renamed over {@code <name>}.
 *
 * <p>Why a temporary: until the rename, readers of {@code <name>} see the old collection (or none),
 * never a partly loaded one; a failure just drops the temporary.
 *
 * <p>Failure modes: a document, index or option MongoDB refuses becomes a {@link
 * RejectedInputException} with the origin of the refused item (the first failing document of an
 * ordered batch); other server and network errors propagate as they are. Neither cleans up: the
 * owning {@link Staging} drops the temporary. Memory: at most {@code batchSize} documents or
 * {@value #MAX_BATCH_BYTES} bytes of them, plus up to {@value #MAX_INDEXES} index specifications.
 * Not thread-safe; one task uses it from one thread.
 */
final class StagedCollection {

    /** Flush before a batch holds this many bytes, so huge documents cannot multiply the heap use. */
    static final int MAX_BATCH_BYTES = 16 * 1024 * 1024;
    /** MongoDB allows 64 indexes per collection, {@code _id_} included. */
    static final int MAX_INDEXES = 64;

    private static final InsertManyOptions INSERT_OPTIONS =
            // Ordered: the first refused document stops the batch and is the one reported.
            // Bypass validation: the documents were valid where they came from; the copied
            // validator may be stricter now, and the load must not depend on that.
            new InsertManyOptions().ordered(true).bypassDocumentValidation(true);

    private final MongoDatabase database;
    private final String name;
    private final String temporaryName;
    private final MongoCollection<RawBsonDocument> temporary;
    private final int batchSize;
    private final List<RawBsonDocument> batch;
    private long[] batchOrigins;
    private final List<BsonDocument> indexes = new ArrayList<>();
    private long firstIndexOrigin;
    private long batchBytes;
    private long documents;
    private long bytes;

    private StagedCollection(MongoDatabase database, String name, String temporaryName, int batchSize) {
        this.database = database;
        this.name = name;
        this.temporaryName = temporaryName;
        this.temporary = database.getCollection(temporaryName, RawBsonDocument.class);
        this.batchSize = batchSize;
        this.batch = new ArrayList<>(Math.min(batchSize, 1024));
        this.batchOrigins = new long[Math.min(batchSize, 1024)];
    }

    /**
     * Creates the temporary collection with {@code options} (as {@code listCollections} reports
     * them) passed to {@code create} verbatim, so capped sizes, validators, collations and the like
     * carry over. It is created even for a collection without documents, so that one is imported too.
     *
     * @throws RejectedInputException if MongoDB refuses the options
     */
    static StagedCollection create(MongoDatabase database, String name, String temporaryName, BsonDocument options,
                                   int batchSize, long origin) {
        BsonDocument command = new BsonDocument("create", new BsonString(temporaryName));
        options.forEach(command::append);
        try {
            database.runCommand(command);
        } catch (MongoCommandException e) {
            throw new RejectedInputException(origin, "MongoDB refused to create collection '" + name
                    + "' (as '" + temporaryName + "') with options " + options.toJson() + ": " + e.getErrorMessage(), e);
        }
        return new StagedCollection(database, name, temporaryName, batchSize);
    }

    String name() {
        return name;
    }

    String temporaryName() {
        return temporaryName;
    }

    /** Documents added so far. */
    long documents() {
        return documents;
    }

    /** BSON bytes of the documents added so far. */
    long bytes() {
        return bytes;
    }

    /** Index specifications added so far. */
    int indexes() {
        return indexes.size();
    }

    /**
     * Queues a document, inserting the batch when it is full.
     *
     * @return whether a batch was inserted
     * @throws RejectedInputException if MongoDB refuses a document of the batch
     */
    boolean add(RawBsonDocument document, long origin) {
        int size = document.getByteBuffer().remaining();
        boolean inserted = false;
        if (!batch.isEmpty() && batchBytes + size > MAX_BATCH_BYTES) {
            flush();
            inserted = true;
        }
        if (batch.size() == batchOrigins.length) {
            // Grown on demand: a huge batchSize should not cost memory unless batches get that big.
            batchOrigins = Arrays.copyOf(batchOrigins, Math.min(batchSize, batchOrigins.length * 2));
        }
        batchOrigins[batch.size()] = origin;
        batch.add(document);
        batchBytes += size;
        documents++;
        bytes += size;
        if (batch.size() >= batchSize) {
            flush();
            inserted = true;
        }
        return inserted;
    }

    /**
     * Inserts the queued documents, if any.
     *
     * @throws RejectedInputException if MongoDB refuses one of them
     */
    void flush() {
        if (batch.isEmpty()) {
            return;
        }
        try {
            temporary.insertMany(batch, INSERT_OPTIONS);
        } catch (MongoBulkWriteException e) {
            BulkWriteError first = e.getWriteErrors().isEmpty() ? null : e.getWriteErrors().get(0);
            long origin = first != null && first.getIndex() < batch.size() ? batchOrigins[first.getIndex()] : batchOrigins[0];
            String reason = first != null ? first.getMessage() : String.valueOf(e.getWriteConcernError());
            throw new RejectedInputException(origin, "MongoDB refused a document of collection '" + name + "': " + reason, e);
        } finally {
            batch.clear();
            batchBytes = 0;
        }
    }

    /**
     * Queues an index specification (already without {@code v} and {@code ns}) to be built by
     * {@link #finish()}.
     *
     * @throws RejectedInputException if the collection would get more than {@value #MAX_INDEXES} indexes
     */
    void addIndex(BsonDocument specification, long origin) {
        if (indexes.size() >= MAX_INDEXES - 1) {
            throw new RejectedInputException(origin, "collection '" + name + "' has more than " + (MAX_INDEXES - 1)
                    + " indexes besides _id_; MongoDB allows " + MAX_INDEXES + " in all", null);
        }
        if (indexes.isEmpty()) {
            firstIndexOrigin = origin;
        }
        indexes.add(specification);
    }

    /**
     * Inserts the last batch and builds the queued indexes with one raw {@code createIndexes}
     * command, so every option (unique, sparse, expireAfterSeconds, partialFilterExpression,
     * collation, weights, …) reaches the server exactly as it was listed. Building after the load
     * is faster than maintaining the indexes during it.
     *
     * @throws RejectedInputException if MongoDB refuses a document or an index
     */
    void finish() {
        flush();
        if (indexes.isEmpty()) {
            return;
        }
        BsonDocument command = new BsonDocument("createIndexes", new BsonString(temporaryName))
                .append("indexes", new BsonArray(indexes));
        try {
            database.runCommand(command);
        } catch (MongoCommandException e) {
            throw new RejectedInputException(firstIndexOrigin, "MongoDB refused the indexes of collection '" + name
                    + "': " + e.getErrorMessage(), e);
        }
    }

    /** Renames the temporary over {@code name}, replacing a collection of that name if there is one. */
    void publish() {
        temporary.renameCollection(new MongoNamespace(database.getName(), name),
                new RenameCollectionOptions().dropTarget(true));
    }

    /** Drops the temporary; dropping one that does not exist succeeds. */
    void discard() {
        temporary.drop();
    }
}

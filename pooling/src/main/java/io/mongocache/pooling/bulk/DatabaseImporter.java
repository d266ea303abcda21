package io.mongocache.pooling.bulk;

import com.mongodb.client.MongoDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Streams JSON Lines (shapes on {@link BulkTasks}) into one database, checking every line and the
 * order of lines as it goes.
 *
 * <p>Failure modes: each collection loads into a temporary (see {@link Staging}); nothing is
 * renamed into place before the {@code endExport} line has been read and every count checked, so
 * bad or truncated input changes nothing in the target database. On any failure the temporaries
 * are dropped and the exception rethrown: {@link ImportException} for bad input or input MongoDB
 * refuses (with its line), {@code UncheckedIOException} for a failing stream, driver exceptions for
 * server trouble. Memory: one line, one insert batch and a collection's index specifications.
 */
final class DatabaseImporter {

    /**
     * Longest line accepted. A 16 MiB document is at most about 48 MiB of canonical Extended JSON
     * unless it is mostly escaped control characters; longer lines mean the input is something else.
     */
    static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    private final ProgressListener progress;
    private final Staging staging;
    private final Set<String> seenCollections = new HashSet<>();
    private @Nullable StagedCollection current;
    private long currentDocumentLines;
    private long currentIndexLines;
    private long lastReported;
    private int collections;
    private long documents;
    private int indexes;
    private long indexLines;
    private boolean ended;

    private DatabaseImporter(MongoDatabase target, int batchSize, ProgressListener progress) {
        this.progress = progress;
        this.staging = new Staging(target, batchSize);
    }

    static ImportReport importFrom(MongoDatabase target, InputStream in, int batchSize, ProgressListener progress) {
        return new DatabaseImporter(target, batchSize, progress).run(in);
    }

    private ImportReport run(InputStream in) {
        long started = System.nanoTime();
        Utf8LineReader reader = new Utf8LineReader(in, MAX_LINE_BYTES);
        try {
            readAll(reader);
            staging.publishAll();
        } catch (RejectedInputException e) {
            ImportException failure = new ImportException(e.origin(), e.getMessage(), e.getCause());
            staging.discardAll(failure);
            throw failure;
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot read the import input after line "
                    + reader.lineNumber(), e);
            staging.discardAll(failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            staging.discardAll(e);
            throw e;
        }
        return new ImportReport(collections, documents, indexes, reader.bytesRead(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private void readAll(Utf8LineReader reader) throws IOException {
        String first = reader.nextLine();
        if (first == null) {
            throw new ImportException(1, "the input is empty; expected the header line {\""
                    + ExportFormat.HEADER + "\":" + ExportFormat.VERSION + ",...}");
        }
        ExportFormat.ExportLine header = ExportFormat.parse(first, 1);
        if (!(header instanceof ExportFormat.Header h)) {
            throw new ImportException(1, "the first line must be the header {\"" + ExportFormat.HEADER + "\":"
                    + ExportFormat.VERSION + ",...}, not a '" + typeOf(header) + "' line");
        }
        if (h.version() != ExportFormat.VERSION) {
            throw new ImportException(1, "format version " + h.version() + " is not supported; this code reads version "
                    + ExportFormat.VERSION);
        }
        String text;
        while ((text = reader.nextLine()) != null) {
            long lineNumber = reader.lineNumber();
            if (text.isBlank()) {
                continue;
            }
            if (ended) {
                throw new ImportException(lineNumber, "text after the '" + ExportFormat.END_EXPORT + "' line");
            }
            accept(ExportFormat.parse(text, lineNumber), lineNumber, reader);
        }
        if (!ended) {
            long after = reader.lineNumber() + 1;
            if (current != null) {
                throw new ImportException(after, "the input ends inside collection '" + current.name()
                        + "' (no '" + ExportFormat.END_COLLECTION + "' line); it is truncated");
            }
            throw new ImportException(after, "the input ends without the '" + ExportFormat.END_EXPORT
                    + "' line; it is truncated");
        }
    }

    private void accept(ExportFormat.ExportLine line, long lineNumber, Utf8LineReader reader) {
        if (line instanceof ExportFormat.Document document) {
            StagedCollection collection = requireOpen(lineNumber, "a document");
            currentDocumentLines++;
            if (collection.add(document.document(), lineNumber)) {
                report(collection, reader);
            }
        } else if (line instanceof ExportFormat.Index index) {
            StagedCollection collection = requireOpen(lineNumber, "an index");
            currentIndexLines++;
            addIndex(collection, index.specification(), lineNumber);
        } else if (line instanceof ExportFormat.CollectionStart start) {
            startCollection(start, lineNumber);
        } else if (line instanceof ExportFormat.CollectionEnd end) {
            endCollection(end, lineNumber, reader);
        } else if (line instanceof ExportFormat.ExportEnd end) {
            endExport(end, lineNumber);
        } else {
            throw new ImportException(lineNumber, "a second header line; the header must be the first line only");
        }
    }

    private StagedCollection requireOpen(long lineNumber, String what) {
        if (current == null) {
            throw new ImportException(lineNumber, what + " line outside a collection: it must come after a '"
                    + ExportFormat.COLLECTION + "' line and before the matching '" + ExportFormat.END_COLLECTION + "' line");
        }
        return current;
    }

    private void startCollection(ExportFormat.CollectionStart start, long lineNumber) {
        if (current != null) {
            throw new ImportException(lineNumber, "collection '" + start.name() + "' starts before collection '"
                    + current.name() + "' has ended (its '" + ExportFormat.END_COLLECTION + "' line is missing)");
        }
        checkCollectionName(start.name(), lineNumber);
        if (!seenCollections.add(start.name())) {
            throw new ImportException(lineNumber, "collection '" + start.name() + "' appears a second time");
        }
        current = staging.stage(start.name(), start.options(), lineNumber);
        currentDocumentLines = 0;
        currentIndexLines = 0;
        lastReported = -1;
    }

    private static void checkCollectionName(String name, long lineNumber) {
        if (name.isEmpty()) {
            throw new ImportException(lineNumber, "the collection name is empty");
        }
        if (name.indexOf('$') >= 0 || name.indexOf('\0') >= 0) {
            throw new ImportException(lineNumber, "collection name '" + name + "' contains '$' or NUL, which MongoDB forbids");
        }
        if (ExportFormat.isSkippedCollection(name)) {
            throw new ImportException(lineNumber, "collection name '" + name + "' is reserved: names starting with "
                    + "'system.' belong to the server and '" + ExportFormat.STAGING_MARKER + "' marks temporaries");
        }
    }

    private static void addIndex(StagedCollection collection, BsonDocument specification, long lineNumber) {
        BsonDocument cleaned = SourceCollections.withoutServerFields(specification);
        BsonValue key = cleaned.get("key");
        if (key == null || !key.isDocument() || key.asDocument().isEmpty()) {
            throw new ImportException(lineNumber, "an index needs a non-empty object 'key'");
        }
        BsonValue name = cleaned.get("name");
        if (name == null || !name.isString() || name.asString().getValue().isEmpty()) {
            throw new ImportException(lineNumber, "an index needs a non-empty string 'name'");
        }
        if (!SourceCollections.isIdIndex(cleaned)) {
            // _id_ exists in every collection already; exports never write it, but hand-made input might.
            collection.addIndex(cleaned, lineNumber);
        }
    }

    private void endCollection(ExportFormat.CollectionEnd end, long lineNumber, Utf8LineReader reader) {
        StagedCollection collection = current;
        if (collection == null) {
            throw new ImportException(lineNumber, "'" + ExportFormat.END_COLLECTION + "' of '" + end.name()
                    + "' without a matching '" + ExportFormat.COLLECTION + "' line before it");
        }
        if (!end.name().equals(collection.name())) {
            throw new ImportException(lineNumber, "'" + ExportFormat.END_COLLECTION + "' names collection '" + end.name()
                    + "' but collection '" + collection.name() + "' is open");
        }
        if (end.documents() != currentDocumentLines || end.indexes() != currentIndexLines) {
            throw new ImportException(lineNumber, "collection '" + collection.name() + "' had " + currentDocumentLines
                    + " document lines and " + currentIndexLines + " index lines, but its '" + ExportFormat.END_COLLECTION
                    + "' line says " + end.documents() + " and " + end.indexes() + "; lines are missing or extra");
        }
        collection.finish();
        collections++;
        documents += collection.documents();
        indexes += collection.indexes();
        indexLines += currentIndexLines;
        current = null;
        if (lastReported != collection.documents()) {
            progress.onBatch(collection.name(), collection.documents(), documents, reader.bytesRead());
        }
    }

    private void report(StagedCollection collection, Utf8LineReader reader) {
        lastReported = collection.documents();
        progress.onBatch(collection.name(), collection.documents(), documents + collection.documents(),
                reader.bytesRead());
    }

    private void endExport(ExportFormat.ExportEnd end, long lineNumber) {
        if (current != null) {
            throw new ImportException(lineNumber, "'" + ExportFormat.END_EXPORT + "' while collection '" + current.name()
                    + "' is open (its '" + ExportFormat.END_COLLECTION + "' line is missing)");
        }
        if (end.collections() != collections || end.documents() != documents || end.indexes() != indexLines) {
            throw new ImportException(lineNumber, "the input had " + collections + " collections, " + documents
                    + " documents and " + indexLines + " indexes, but the '" + ExportFormat.END_EXPORT + "' line says "
                    + end.collections() + ", " + end.documents() + " and " + end.indexes()
                    + "; collections are missing or extra");
        }
        ended = true;
    }

    private static String typeOf(ExportFormat.ExportLine line) {
        if (line instanceof ExportFormat.CollectionStart) {
            return ExportFormat.COLLECTION;
        } else if (line instanceof ExportFormat.Index) {
            return ExportFormat.INDEX;
        } else if (line instanceof ExportFormat.Document) {
            return ExportFormat.DOCUMENT;
        } else if (line instanceof ExportFormat.CollectionEnd) {
            return ExportFormat.END_COLLECTION;
        } else if (line instanceof ExportFormat.ExportEnd) {
            return ExportFormat.END_EXPORT;
        }
        return ExportFormat.HEADER;
    }
}

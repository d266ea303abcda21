package io.mongocache.pooling.bulk;

import io.mongocache.exceptions.MongoCacheException;
import com.mongodb.client.MongoDatabase;
import io.mongocache.common.Checks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Whole-database tasks: copy, drop, export and import, each streaming in batches so memory stays
 * constant however large the database is.
 *
 * <p>Databases are named, and {@code databases} (given to the constructor) turns a name into a
 * {@link MongoDatabase}, so source and target of a copy may live on different connection pools or
 * clients. {@code MongoPools.bulk()} returns tasks over its routing, wired to its hooks; over a single
 * client, {@code new BulkTasks(client::getDatabase)}. This package depends on the driver alone, not on
 * {@code MongoPools}.
 *
 * <h2>What is taken</h2>
 * Every plain collection of the database with its documents, its {@code listCollections} options
 * (validator, collation, capped size, …) and its indexes except {@code _id_}. Left out:
 * {@code system.*} collections, views and time-series collections (logged as skipped), and the
 * temporary collections of imports or copies in progress ({@code <name>.__importing_<run>}).
 *
 * <h2>Loading: all or nothing</h2>
 * An import or copy loads each collection into a temporary collection {@code
 * <name>.__importing_<run>} of the target, builds its indexes there, and only when every
 * collection is complete (for an import: the whole input read and every count checked) renames
 * each temporary over {@code <name>} ({@code renameCollection} with {@code dropTarget}). So a
 * collection of the target is either left as it was or replaced by a complete copy; collections
 * of the target that the input does not mention are left alone. On failure the temporaries are
 * dropped before the exception is thrown. Documents are inserted with {@code
 * bypassDocumentValidation}, since they were valid where they came from.
 *
 * <h2>Export format (version 1)</h2>
 * UTF-8 JSON Lines: one JSON object per line, each line ending in {@code \n}; the first field of
 * each object says what the line is. BSON values (documents, options, index specifications) are
 * MongoDB Extended JSON in <em>canonical</em> mode, so every type survives exactly: ObjectId,
 * Decimal128, dates, int32 versus int64, doubles including NaN, infinities and -0.0, binary
 * subtypes, regular expressions, timestamps, min/max keys, nested documents and field order. The
 * other fields are plain JSON. An export of a database {@code shop} with an empty collection {@code
 * orders} and a collection {@code users} holding one document and a unique index:
 * <pre>{@code
 * {"mongocacheExport":1,"database":"shop"}
 * {"collection":"orders","options":{}}
 * {"endCollection":"orders","documents":0,"indexes":0}
 * {"collection":"users","options":{}}
 * {"index":{"key": {"name": {"$numberInt": "1"}}, "name": "name_1", "unique": true}}
 * {"doc":{"_id": {"$numberInt": "1"}, "name": "Ann", "age": {"$numberInt": "41"}}}
 * {"endCollection":"users","documents":1,"indexes":1}
 * {"endExport":"shop","collections":2,"documents":1,"indexes":1}
 * }</pre>
 * <ul>
 *   <li>{@code mongocacheExport}: the header, exactly once, first; the value is the format version.
 *   <li>{@code collection}: starts a collection, with its {@code listCollections} options.
 *       Collections come sorted by name; each is followed by its lines up to its {@code
 *       endCollection}.
 *   <li>{@code index}: one per index except {@code _id_} (at most 63). Written before the
 *       documents; an import accepts them anywhere inside the collection and builds the indexes
 *       after loading the documents.
 *   <li>{@code doc}: one per document, the document itself as the value.
 *   <li>{@code endCollection}: ends the open collection, with how many {@code doc} and {@code
 *       index} lines it had.
 *   <li>{@code endExport}: the last line, with the totals; without it the input counts as truncated.
 * </ul>
 * The header's {@code database} is informational; an import loads into the database it is given.
 * Index specifications are as {@code listIndexes} reports them without {@code v} and {@code ns};
 * an import creates them with one raw {@code createIndexes} command, so every option passes
 * through verbatim. An import accepts {@code \r\n} line ends and ignores blank lines; anything else
 * out of place (malformed JSON, an unknown line type, a line out of order, counts that do not
 * match, a missing end line) is an {@link ImportException} naming the line.
 *
 * <p>Known limits of the format: Extended JSON has one NaN, so a double or Decimal128 NaN with a
 * sign or payload other than the usual one comes back as the usual NaN. A document's line is
 * limited to 64 MiB.
 *
 * <h2>Changes</h2>
 * Every task that writes — {@link #copyDatabase} (into its target), {@link #dropDatabase},
 * {@link #importInto} and {@link #importFrom} — ends by calling the {@code onDatabaseChanged}
 * listener given to the constructor with the database it wrote, also when it fails (a failed task
 * may have replaced some collections or left temporaries behind). Those writes bypass any cache,
 * so this is where a cache forgets the database; {@code MongoPools.bulk()} wires its
 * {@code onDatabaseChanged} hooks here. Exports write nothing and call nothing.
 *
 * <h2>A source that does not exist</h2>
 * MongoDB creates a database on its first write, so a database without collections does not exist. A copy or
 * export of one reads it as empty unless the tasks were made with {@link MissingSource#REJECT}, as
 * {@code MongoPools.bulk()}'s are: then it is refused before anything is written or any listener called.
 *
 * <h2>Threads</h2>
 * An instance may run several tasks at once from different threads; each task reads the batch
 * size when it starts. Tasks run on the calling thread, and the progress listener is called there.
 */
public final class BulkTasks {

    /** Documents per cursor batch and per {@code insertMany}, unless set with {@link #batchSize(int)}. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** Databases the server itself depends on; dropping them breaks the deployment. */
    private static final Set<String> SYSTEM_DATABASES = Set.of("admin", "local", "config");

    private final Function<String, MongoDatabase> databases;
    private final Consumer<String> onDatabaseChanged;
    private final MissingSource missingSource;
    private volatile int batchSize = DEFAULT_BATCH_SIZE;

    /** What a copy or an export does with a source database that does not exist (has no collections). */
    public enum MissingSource {
        /** Reads it as empty: a copy copies nothing, an export holds no collections. */
        READ_AS_EMPTY,
        /**
         * Refuses it with an {@link IllegalArgumentException} ("source: database 'x' does not exist (it has no
         * collections)") before anything is written or any listener called; costs one {@code listCollections}.
         */
        REJECT
    }

    /**
     * Creates tasks over the given databases, telling nobody about their writes.
     *
     * @param databases resolves a database name to a {@link MongoDatabase} on the right client or
     *                  connection pool; called once per database per task, must not return null
     * @throws IllegalArgumentException if {@code databases} is null
     */
    public BulkTasks(Function<String, MongoDatabase> databases) {
        this(databases, database -> { });
    }

    /**
     * Creates tasks over the given databases that tell {@code onDatabaseChanged} about every
     * database they write (see "Changes" above).
     *
     * @param databases         as {@link #BulkTasks(Function)}
     * @param onDatabaseChanged called on the task's thread with the name of each database a task
     *                          wrote, after the task, also when it failed; an exception it throws
     *                          is thrown by the task (added as suppressed to the task's own failure)
     * @throws IllegalArgumentException if an argument is null
     */
    public BulkTasks(Function<String, MongoDatabase> databases, Consumer<String> onDatabaseChanged) {
        this(databases, onDatabaseChanged, MissingSource.READ_AS_EMPTY);
    }

    /**
     * Creates tasks as {@link #BulkTasks(Function, Consumer)} does, choosing what a copy or export does with a
     * source database that does not exist.
     *
     * @param databases         as {@link #BulkTasks(Function)}
     * @param onDatabaseChanged as {@link #BulkTasks(Function, Consumer)}
     * @param missingSource     {@link MissingSource#READ_AS_EMPTY} (what the other constructors choose) or
     *                          {@link MissingSource#REJECT}
     * @throws IllegalArgumentException if an argument is null
     */
    public BulkTasks(Function<String, MongoDatabase> databases, Consumer<String> onDatabaseChanged,
            MissingSource missingSource) {
        this.databases = Checks.notNull("databases", databases);
        this.onDatabaseChanged = Checks.notNull("onDatabaseChanged", onDatabaseChanged);
        this.missingSource = Checks.notNull("missingSource", missingSource);
    }

    /**
     * Sets how many documents each cursor batch and each {@code insertMany} holds; default {@value
     * #DEFAULT_BATCH_SIZE}. An insert batch is also cut at 16 MiB of BSON, so large documents do not
     * multiply the memory used. Applies to tasks started after the call.
     *
     * @param documents documents per batch, > 0
     * @return this
     * @throws IllegalArgumentException if {@code documents} is not positive
     */
    public BulkTasks batchSize(int documents) {
        this.batchSize = Checks.positive("documents", documents);
        return this;
    }

    /**
     * The batch size tasks started now use.
     *
     * @return documents per batch; {@value #DEFAULT_BATCH_SIZE} unless set
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Copies every collection of {@code source} into {@code target}: documents as raw BSON (byte for
     * byte), collection options and indexes except {@code _id_}. Streams in batches; source and
     * target may be on different clients. Collections of {@code target} with the same names are
     * replaced, all of them only once every collection is copied; others are kept.
     *
     * @param source the database to read
     * @param target the database to write; must differ from {@code source}
     * @return what was copied
     * @throws IllegalArgumentException if a name is null, not a valid database name, or both are equal, or
     *                                  the source does not exist and the tasks {@link MissingSource#REJECT} that
     * @throws MongoCacheException      if the target refuses a collection, document or index (nothing
     *                                  is replaced then), or a rename into place fails (the message
     *                                  says which collections are in place)
     */
    public CopyReport copyDatabase(String source, String target) {
        return copyDatabase(source, target, ProgressListener.NONE);
    }

    /**
     * {@link #copyDatabase(String, String)}, reporting progress after each batch.
     *
     * @param source   the database to read
     * @param target   the database to write; must differ from {@code source}
     * @param progress told about each batch inserted; {@link ProgressListener#NONE} for nothing
     * @return what was copied
     * @throws IllegalArgumentException if a name is null, not a valid database name, or both are
     *                                  equal, or {@code progress} is null, or the source does not exist
     *                                  and the tasks {@link MissingSource#REJECT} that
     * @throws MongoCacheException      as {@link #copyDatabase(String, String)}
     */
    public CopyReport copyDatabase(String source, String target, ProgressListener progress) {
        Checks.databaseName("source", source);
        Checks.databaseName("target", target);
        if (source.equals(target)) {
            throw new IllegalArgumentException("target must differ from source, but both are '" + source + "'");
        }
        Checks.notNull("progress", progress);
        Supplier<MongoDatabase> from = sourceDatabase("source", source);
        int documentsPerBatch = batchSize;
        return changing(target, () -> DatabaseCopier.copy(from.get(), resolve(target), documentsPerBatch,
                progress));
    }

    /**
     * Drops the database {@code name} with everything in it. Dropping a database that does not
     * exist succeeds.
     *
     * @param name the database to drop; not {@code admin}, {@code local} or {@code config}
     * @throws IllegalArgumentException if {@code name} is null, not a valid database name, or one of
     *                                  the server's own databases
     */
    public void dropDatabase(String name) {
        droppableDatabaseName("name", name);
        changing(name, () -> {
            resolve(name).drop();
            return null;
        });
    }

    /**
     * Exports the whole database into a string in the format described on this class. Holds the
     * whole export in memory (twice, briefly); for anything large use {@link #exportTo}.
     *
     * @param database the database to export
     * @return the export, JSON Lines
     * @throws IllegalArgumentException if {@code database} is null or not a valid database name, or does
     *                                  not exist and the tasks {@link MissingSource#REJECT} that
     */
    public String export(String database) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exportTo(database, out, ProgressListener.NONE);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Imports an export held in a string, as {@link #importFrom} does from a stream. Holds the input
     * in memory twice (as text and as UTF-8); for anything large use {@link #importFrom}.
     *
     * @param database the database to import into
     * @param data     the export, JSON Lines
     * @return what was imported
     * @throws IllegalArgumentException if {@code database} is null or not a valid database name, or
     *                                  {@code data} is null
     * @throws ImportException          if {@code data} is not a valid export or MongoDB refuses part of
     *                                  it; nothing was imported then
     */
    public ImportReport importInto(String database, String data) {
        Checks.databaseName("database", database);
        Checks.notNull("data", data);
        return importFrom(database, new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)),
                ProgressListener.NONE);
    }

    /**
     * Streams the whole database to {@code out} in the format described on this class, one cursor
     * batch at a time, in constant memory. The stream is flushed after every batch and at the end,
     * but not closed: it belongs to the caller. The export is not a point-in-time snapshot:
     * documents written meanwhile may or may not be in it.
     *
     * @param database the database to export
     * @param out      where to write; buffered here, so it need not be
     * @param progress told about each batch written; {@link ProgressListener#NONE} for nothing
     * @return what was exported
     * @throws IllegalArgumentException      if {@code database} is null or not a valid database
     *                                       name, or {@code out} or {@code progress} is null, or the
     *                                       database does not exist and the tasks
     *                                       {@link MissingSource#REJECT} that
     * @throws java.io.UncheckedIOException  if writing to {@code out} fails; the partial output
     *                                       then lacks its end line, so importing it fails
     */
    public ExportReport exportTo(String database, OutputStream out, ProgressListener progress) {
        Checks.databaseName("database", database);
        Checks.notNull("out", out);
        Checks.notNull("progress", progress);
        MongoDatabase source = sourceDatabase("database", database).get();
        int documentsPerBatch = batchSize;
        return DatabaseExporter.export(source, out, documentsPerBatch, progress);
    }

    /**
     * Streams an export from {@code in} into {@code database}, in constant memory: lines are read
     * and checked one at a time and inserted in batches into temporary collections, which replace
     * the collections of the same names only once the whole input has been read and found
     * complete. The stream is read to its end (text after the end line is an error) but not
     * closed: it belongs to the caller.
     *
     * @param database the database to import into
     * @param in       the export; buffered here, so it need not be
     * @param progress told about each batch inserted; {@link ProgressListener#NONE} for nothing
     * @return what was imported
     * @throws IllegalArgumentException     if {@code database} is null or not a valid database name,
     *                                      or {@code in} or {@code progress} is null
     * @throws ImportException              if the input is not a valid, complete export or MongoDB
     *                                      refuses part of it; nothing was imported then
     * @throws java.io.UncheckedIOException if reading {@code in} fails; nothing was imported then
     * @throws MongoCacheException          if renaming a complete collection into place fails (the
     *                                      message says which collections are in place)
     */
    public ImportReport importFrom(String database, InputStream in, ProgressListener progress) {
        Checks.databaseName("database", database);
        Checks.notNull("in", in);
        Checks.notNull("progress", progress);
        int documentsPerBatch = batchSize;
        return changing(database, () -> DatabaseImporter.importFrom(resolve(database), in, documentsPerBatch,
                progress));
    }

    /** Runs a task that writes {@code database}, then tells the listener, whether the task failed or not. */
    private <T> T changing(String database, Supplier<T> task) {
        T result;
        try {
            result = task.get();
        } catch (RuntimeException | Error failure) {
            try {
                onDatabaseChanged.accept(database);
            } catch (RuntimeException listenerFailure) {
                failure.addSuppressed(listenerFailure);
            }
            throw failure;
        }
        onDatabaseChanged.accept(database);
        return result;
    }

    /**
     * The database a copy or export reads. Under {@link MissingSource#REJECT} it is resolved and checked now,
     * before the task writes or tells anyone anything; otherwise it is resolved when the task reads it.
     */
    private Supplier<MongoDatabase> sourceDatabase(String parameter, String name) {
        if (missingSource == MissingSource.READ_AS_EMPTY) {
            return () -> resolve(name);
        }
        MongoDatabase database = resolve(name);
        if (database.listCollectionNames().first() == null) {
            throw new IllegalArgumentException(parameter + ": database '" + name
                    + "' does not exist (it has no collections)");
        }
        return () -> database;
    }

    private MongoDatabase resolve(String name) {
        MongoDatabase database = databases.apply(name);
        if (database == null) {
            throw new IllegalStateException("the databases function returned null for database '" + name + "'");
        }
        return database;
    }

    private static void droppableDatabaseName(String parameter, String name) {
        Checks.databaseName(parameter, name);
        if (SYSTEM_DATABASES.contains(name)) {
            throw new IllegalArgumentException(parameter + " must not be one of the server's own databases "
                    + "admin, local or config, but was '" + name + "'");
        }
    }
}

package io.mongocache.pooling;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change streams opened through {@link MongoPools#openChangeStream}, by database, so that they can be closed
 * per database and all at once when the pools close. An open stream also keeps its pool from auto-closing, but
 * that is the pool's own cursor tracking, not this class.
 *
 * <p>Concurrency: thread-safe (concurrent map of concurrent sets). Closing a database's streams removes its set
 * first, so each stream is closed by one caller. A stream opened while its database's streams are being closed
 * may escape that close and stay open; closing the pools still ends it, with its client. Failure modes: a stream
 * that fails to close is logged at DEBUG and skipped.
 */
final class TrackedChangeStreams {
    private static final Logger LOG = LoggerFactory.getLogger(TrackedChangeStreams.class);

    private final Map<String, Set<MongoChangeStreamCursor<?>>> byDatabase = new ConcurrentHashMap<>();

    /** Opens a change stream on {@code database} (named {@code name}) and tracks it. */
    MongoChangeStreamCursor<ChangeStreamDocument<Document>> open(String name, MongoDatabase database,
            List<? extends Bson> pipeline) {
        MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = database.watch(pipeline).cursor();
        byDatabase.computeIfAbsent(name, d -> ConcurrentHashMap.newKeySet()).add(cursor);
        return cursor;
    }

    /** Closes and forgets the tracked streams of one database. */
    void close(String database) {
        Set<MongoChangeStreamCursor<?>> cursors = byDatabase.remove(database);
        if (cursors != null) {
            cursors.forEach(TrackedChangeStreams::closeQuietly);
        }
    }

    /** Closes and forgets every tracked stream. */
    void closeAll() {
        for (String database : List.copyOf(byDatabase.keySet())) {
            close(database);
        }
    }

    private static void closeQuietly(MongoChangeStreamCursor<?> cursor) {
        try {
            cursor.close();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: closing a change stream failed", e);
        }
    }
}

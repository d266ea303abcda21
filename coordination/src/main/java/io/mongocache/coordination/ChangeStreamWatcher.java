package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoNamespace;
import com.mongodb.MongoWriteException;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongocache.MongoCache;
import io.mongocache.spi.Invalidation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's change-stream watcher for one collection: turns writes made by anyone (other programs included)
 * into the same invalidations a write through the proxy makes, on every node.
 *
 * <p>Checkpoint document, one per watched namespace, in the state database:
 * <pre>
 * { _id: "checkpoint:db.coll", epoch: 7, token: {_data: "…"} }
 * </pre>
 * Algorithm: on start, claim the checkpoint for this lease's epoch ({@code updateOne({_id, epoch < mine},
 * {$set: {epoch: mine}})}, upsert when missing — a newer epoch's claim makes an older leader's writes match
 * nothing). Open the stream after the checkpointed token. For each event: invalidate (and publish), then
 * checkpoint its resume token with {@code updateOne({_id, epoch: mine}, {$set: {token}})}; 0 matched means a
 * newer leader exists: stop. While idle, checkpoint the post-batch resume token. History lost (code 286) or
 * another non-resumable error: flush the namespace on every node, drop the token, reopen fresh — never retry the
 * dead token. Drop, rename and invalidate events end the stream: reopen with {@code startAfter}.
 *
 * <p>Concurrency: one thread, started and stopped by the elector's callbacks; {@link #stop()} waits for it.
 * Idle polling uses {@code tryNext()} with back-off (10 ms doubling to 200 ms), never a spinning core.
 */
public final class ChangeStreamWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStreamWatcher.class);
    private static final int HISTORY_LOST = 286;

    private final MongoClient client;
    private final MongoNamespace namespace;
    private final MongoCache cache;
    private final MongoCollection<Document> checkpoints;
    private final String checkpointId;
    private final AtomicLong eventsSeen = new AtomicLong();
    private final AtomicLong historyLost = new AtomicLong();
    private volatile @Nullable Thread thread;
    private volatile boolean running;
    private volatile boolean fencedOff;
    private volatile boolean watching;

    public ChangeStreamWatcher(MongoClient client, MongoNamespace namespace, MongoCache cache,
            MongoCollection<Document> checkpoints) {
        this.client = client;
        this.namespace = namespace;
        this.cache = cache;
        this.checkpoints = checkpoints;
        this.checkpointId = "checkpoint:" + namespace.getFullName();
    }

    /** Starts watching under {@code lease}. */
    public synchronized void start(Lease lease) {
        stop();
        running = true;
        fencedOff = false;
        Thread t = new Thread(() -> run(lease.epoch()), "mongocache-watcher-" + namespace.getFullName());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Stops watching and waits for the thread to end. */
    public synchronized void stop() {
        running = false;
        watching = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    /**
     * Whether a stream is open (or was, before the latest reopen). A first leader without a checkpoint starts at
     * "now": writes before this point are not replayed.
     */
    public boolean isWatching() {
        return watching && running;
    }

    /** Events turned into invalidations so far. */
    public long eventsSeen() {
        return eventsSeen.get();
    }

    /** Times the stream's history was lost (each flushed the namespace once). */
    public long historyLost() {
        return historyLost.get();
    }

    /** Whether a newer leader's checkpoint refused this watcher's (it stopped). */
    public boolean fencedOff() {
        return fencedOff;
    }

    private void run(long epoch) {
        if (!claim(epoch)) {
            fencedOff = true;
            LOG.warn("mongocache: a newer leader owns {}; not watching", checkpointId);
            return;
        }
        BsonDocument startAfter = storedToken();
        long backoffMillis = 10;
        while (running) {
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = open(startAfter)) {
                watching = true;
                backoffMillis = 10;
                long idle = 10;
                while (running) {
                    ChangeStreamDocument<Document> event = cursor.tryNext();
                    if (event == null) {
                        BsonDocument token = cursor.getResumeToken();
                        if (token != null && !token.equals(startAfter)) {
                            if (!checkpoint(epoch, token)) {
                                return;
                            }
                            startAfter = token;
                        }
                        sleep(idle);
                        idle = Math.min(200, idle * 2);
                        continue;
                    }
                    idle = 10;
                    eventsSeen.incrementAndGet();
                    ChangeEventTranslator.Translation translation = ChangeEventTranslator.translate(raw(event));
                    for (Invalidation invalidation : translation.invalidations()) {
                        cache.invalidate(invalidation);
                    }
                    BsonDocument token = event.getResumeToken();
                    if (!checkpoint(epoch, token)) {
                        return;
                    }
                    startAfter = token;
                    if (translation.reopen()) {
                        break;
                    }
                }
            } catch (MongoException e) {
                if (!running) {
                    return;
                }
                if (e.getCode() == HISTORY_LOST || !isResumable(e)) {
                    // The token is dead: forget it, and everything it might have told us.
                    historyLost.incrementAndGet();
                    LOG.warn("mongocache: change stream on {} lost its history ({}); flushing it everywhere",
                            namespace.getFullName(), e.getCode());
                    cache.invalidate(Invalidation.namespace(namespace.getFullName()));
                    startAfter = null;
                    if (!checkpoint(epoch, null)) {
                        return;
                    }
                }
                sleep(backoffMillis);
                backoffMillis = Math.min(2000, backoffMillis * 2);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("mongocache: change stream on {} failed ({}); reopening", namespace.getFullName(), e.toString());
                sleep(backoffMillis);
                backoffMillis = Math.min(2000, backoffMillis * 2);
            }
        }
    }

    private static boolean isResumable(MongoException e) {
        return e.hasErrorLabel("ResumableChangeStreamError") || e.getCode() == -3 || e.getCode() == 6
                || e.getCode() == 7 || e.getCode() == 89 || e.getCode() == 91 || e.getCode() == 189
                || e.getCode() == 262 || e.getCode() == 9001 || e.getCode() == 10107 || e.getCode() == 11600
                || e.getCode() == 11602 || e.getCode() == 13435 || e.getCode() == 13436 || e.getCode() == 63
                || e.getCode() == 150 || e.getCode() == 13388 || e.getCode() == 234 || e.getCode() == 133;
    }

    private MongoChangeStreamCursor<ChangeStreamDocument<Document>> open(@Nullable BsonDocument startAfter) {
        ChangeStreamIterable<Document> stream = client.getDatabase(namespace.getDatabaseName())
                .getCollection(namespace.getCollectionName()).watch().maxAwaitTime(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (startAfter != null) {
            stream = stream.startAfter(startAfter);
        }
        return stream.cursor();
    }

    private static BsonDocument raw(ChangeStreamDocument<Document> event) {
        BsonDocument raw = new BsonDocument("operationType",
                new org.bson.BsonString(event.getOperationTypeString() == null ? "" : event.getOperationTypeString()));
        MongoNamespace ns = event.getNamespace();
        if (ns != null) {
            raw.append("ns", new BsonDocument("db", new org.bson.BsonString(ns.getDatabaseName()))
                    .append("coll", new org.bson.BsonString(ns.getCollectionName())));
        }
        if (event.getDocumentKey() != null) {
            raw.append("documentKey", event.getDocumentKey());
        }
        MongoNamespace to = event.getDestinationNamespace();
        if (to != null) {
            raw.append("to", new BsonDocument("db", new org.bson.BsonString(to.getDatabaseName()))
                    .append("coll", new org.bson.BsonString(to.getCollectionName())));
        }
        return raw;
    }

    /** Makes the checkpoint this epoch's; false if a newer epoch already owns it. */
    private boolean claim(long epoch) {
        try {
            checkpoints.updateOne(and(eq("_id", checkpointId), lt("epoch", epoch)), Updates.set("epoch", epoch),
                    new UpdateOptions().upsert(true));
        } catch (MongoWriteException e) {
            // The record exists with an epoch >= ours: ours (a restart) or a newer leader's.
            if (ErrorCategory.fromErrorCode(e.getError().getCode()) != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
        }
        return checkpoints.countDocuments(and(eq("_id", checkpointId), eq("epoch", epoch))) == 1;
    }

    private @Nullable BsonDocument storedToken() {
        Document doc = checkpoints.find(eq("_id", checkpointId)).first();
        Object token = doc == null ? null : doc.get("token");
        return token instanceof Document d ? d.toBsonDocument() : null;
    }

    /** Records the resume token under this epoch; false (and stop) if a newer leader owns the checkpoint. */
    private boolean checkpoint(long epoch, @Nullable BsonDocument token) {
        long matched = checkpoints.updateOne(and(eq("_id", checkpointId), eq("epoch", epoch)),
                token == null ? Updates.unset("token") : Updates.set("token", token)).getMatchedCount();
        if (matched == 0) {
            fencedOff = true;
            running = false;
            LOG.warn("mongocache: checkpoint of {} refused for epoch {}: a newer leader exists; stopping",
                    namespace.getFullName(), epoch);
            return false;
        }
        return true;
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}

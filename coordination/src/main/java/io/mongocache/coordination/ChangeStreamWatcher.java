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
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongocache.MongoCache;
import io.mongocache.common.Backoff;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.invalidation.ChangeEvents;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.spi.CacheHooks;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.conversions.Bson;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's change-stream watcher for one collection or one database: turns writes made by anyone (other
 * programs included) into the same invalidations a write through the proxy makes, on every node.
 *
 * <p>Checkpoint document, one per lease and watched collection or database, in the state database (keyed by the
 * lease name too, so deployments that share a state database under different lease names never fence each other):
 * <pre>
 * { _id: "checkpoint:leaseName:db.coll", lease: "leaseName", scope: "db.coll", epoch: 7, token: {_data: "…"},
 *   clusterTime: Timestamp(…) }
 * </pre>
 * Algorithm: on start, claim the checkpoint for this lease's epoch ({@code updateOne({_id, epoch < mine},
 * {$set: {epoch: mine}})}, upsert when missing — a newer epoch's claim makes an older leader's writes match
 * nothing). Open the stream after the checkpointed token; without one, open it and then flush the scope, so a write
 * made before the stream existed cannot stay cached. For each event: invalidate (and publish), then
 * checkpoint its resume token with {@code updateOne({_id, epoch: mine}, {$set: {token}})}; 0 matched means a
 * newer leader exists: stop. An event whose invalidation Redis did not take is not checkpointed: the stream
 * reopens from the last checkpoint with back-off and replays it ({@link #publishFailingFor()} tells how long).
 * While idle, checkpoint the post-batch resume token, at most every {@link #IDLE_CHECKPOINT_EVERY}. Events on the
 * library's own state collections ({@link #STATE_COLLECTIONS}) are skipped: neither acted on nor checkpointed.
 * History lost (code 286 and the other codes of a token the server cannot resume from) or another non-resumable
 * error: drop the token, reopen fresh and flush the scope on every node — never retry the dead token. A server that
 * cannot open a change stream at all (a standalone {@code mongod}, no privilege; {@link ChangeStreamErrors}) is
 * neither: the token is kept, nothing is flushed or counted as lost, the server's reason is kept for
 * {@link #cannotOpenReason()} and said once at WARN, and opens are retried every 1 s doubling to 30 s. Drop, rename
 * and invalidate events end the stream: reopen with {@code startAfter}.
 *
 * <p>Concurrency: the watcher is a sequence of short steps (claim, open, or poll up to 100 events), run one at a
 * time either on a thread of its own or by a {@link StreamPool} among many other streams; started and stopped by
 * the elector's callbacks, and {@link #stop()} waits for the last step. Idle polling uses {@code tryNext()} with
 * {@code maxAwaitTime} 500 ms (1 ms in a pool); when the server answers at once anyway (the in-process test server
 * ignores it, and a pooled stream's wait is short) the watcher pauses 1 ms doubling to 50 ms (a pool's cap grows
 * with its streams), never a spinning core. Failed opens back off 10 ms doubling to 2 s (cannot-open errors 1 s
 * doubling to 30 s).
 *
 * <p>Why one class of this size: the claim, the checkpoint fencing, the open/poll/flush steps and the error
 * classification share one state (token, epoch, back-off, counters) that only the step running at the moment may
 * touch; the pure parts live elsewhere ({@link ChangeStreamErrors}, {@code io.mongocache.invalidation.ChangeEvents}).
 */
public final class ChangeStreamWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStreamWatcher.class);
    private static final Duration MAX_AWAIT = Duration.ofMillis(500);
    private static final long IDLE_CAP_MILLIS = 50;
    private static final long FIRST_BACKOFF_MILLIS = 10;
    private static final long MAX_BACKOFF_MILLIS = 2000;
    /** A server that cannot open a stream will not be able to in 10 ms either: its retries start slower. */
    private static final long CANNOT_OPEN_FIRST_BACKOFF_MILLIS = 1000;
    private static final long CANNOT_OPEN_MAX_BACKOFF_MILLIS = 30_000;
    /** Events handled in one step before the step yields (a pool's other streams get their turn). */
    private static final int MAX_BATCH = 100;
    /** How often an idle stream records its post-batch resume token, at most. */
    static final Duration IDLE_CHECKPOINT_EVERY = Duration.ofSeconds(5);

    /**
     * The collections the library itself writes in its state database. Their changes are never acted on: each
     * checkpoint write is an event, and acting on it (or checkpointing for it) would feed a loop of writes and
     * flushes when the state database lies inside the watched scope.
     */
    public static final Set<String> STATE_COLLECTIONS = Set.of("leases", "checkpoints", "nodes", "probe");

    private final MongoClient client;
    private final String database;
    private final @Nullable String collection;
    private final String scopeName;
    private final CacheHooks cache;
    private final MongoCollection<Document> checkpoints;
    private volatile String checkpointId;
    private volatile String leaseName = "";
    private final String stateDatabase;
    private final AtomicLong eventsSeen = new AtomicLong();
    private final AtomicLong historyLost = new AtomicLong();
    private final AtomicLong opens = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong cannotOpen = new AtomicLong();
    private volatile @Nullable String cannotOpenReason;
    /** Set once the cannot-open WARN was said; a coordinator shares one among its watchers, so it is said once. */
    private volatile java.util.concurrent.atomic.AtomicBoolean cannotOpenWarned =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Consumer<@Nullable BsonDocument> beforeOpen = token -> {};
    private volatile long publishFailingSince;
    private long lastCheckpointNanos = System.nanoTime();
    private final AtomicLong checkpointWrites = new AtomicLong();
    private final Object pause = new Object();

    /**
     * The state database failed (claim, token read or checkpoint): retry from the last checkpoint. Never taken
     * for lost history — that is only a stream's own error.
     */
    private static final class StateUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StateUnavailable(MongoException cause) {
            super("the state database failed: " + cause.getMessage(), cause);
        }
    }

    /** An invalidation that reached this node only: the event must not be checkpointed. */
    private static final class NotShared extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotShared() {
            super("Redis did not take the invalidation; the event stays unacknowledged and will be replayed", null,
                    false, false);
        }
    }
    private volatile @Nullable Thread thread;
    private volatile @Nullable StreamPool pool;
    private volatile CountDownLatch finished = new CountDownLatch(0);

    // The step state: touched by one step at a time (its own thread, or the pool runs the next step only after
    // this one; the executor's hand-over orders the writes).
    private long epoch;
    private boolean claimed;
    private @Nullable BsonDocument startAfter;
    private final Backoff failures = new Backoff(FIRST_BACKOFF_MILLIS);
    private final Backoff idle = new Backoff(1);
    private @Nullable MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor;
    private volatile boolean running;
    private volatile boolean fencedOff;
    private volatile boolean watching;

    /** Watches one collection. */
    public ChangeStreamWatcher(MongoClient client, MongoNamespace namespace, MongoCache cache,
            MongoCollection<Document> checkpoints) {
        this(client, namespace.getDatabaseName(), namespace.getCollectionName(), cache, checkpoints);
    }

    private ChangeStreamWatcher(MongoClient client, String database, @Nullable String collection, MongoCache cache,
            MongoCollection<Document> checkpoints) {
        if (client == null || database == null || cache == null || checkpoints == null) {
            throw new IllegalArgumentException("client, database, cache and checkpoints are required");
        }
        this.client = client;
        this.database = database;
        this.collection = collection;
        this.scopeName = collection == null ? database : database + "." + collection;
        this.cache = CacheHooks.of(cache);
        this.checkpoints = checkpoints;
        this.checkpointId = checkpointId("", scopeName);
        this.stateDatabase = checkpoints.getNamespace().getDatabaseName();
    }

    /** Whether {@code namespace} is one of the library's own state collections (never acted on). */
    public static boolean isStateCollection(String stateDatabase, MongoNamespace namespace) {
        return namespace.getDatabaseName().equals(stateDatabase)
                && STATE_COLLECTIONS.contains(namespace.getCollectionName());
    }

    /** The {@code _id} of the checkpoint of {@code scope} under the lease named {@code leaseName}. */
    public static String checkpointId(String leaseName, String scope) {
        return "checkpoint:" + leaseName + ":" + scope;
    }

    /** Watches a whole database with one database-level stream (MongoDB 4.0 and later). */
    public static ChangeStreamWatcher database(MongoClient client, String database, MongoCache cache,
            MongoCollection<Document> checkpoints) {
        return new ChangeStreamWatcher(client, database, null, cache, checkpoints);
    }

    /** What this watcher covers: {@code db.coll}, or {@code db} for a database-level stream. */
    public String scope() {
        return scopeName;
    }

    /**
     * Fault hook for tests: runs before every open with the token the stream will start after (null: fresh);
     * whatever it throws counts as the open failing (so a {@code MongoCommandException} with code 286 simulates
     * lost history).
     */
    void beforeOpen(Consumer<@Nullable BsonDocument> hook) {
        this.beforeOpen = hook;
    }

    /** Starts watching under {@code lease}, on a thread of its own. */
    public void start(Lease lease) {
        start(lease, null);
    }

    /**
     * Starts watching under {@code lease}; with a {@code pool}, its steps run on the pool's few threads among many
     * other streams' (a database scope of many collections), else on a thread of its own.
     */
    synchronized void start(Lease lease, @Nullable StreamPool pool) {
        stop();
        prepare(lease, pool);
        if (pool != null) {
            pool.add(this);
            return;
        }
        Thread t = DaemonThreadFactory.named("mongocache-watcher-" + scopeName).newThread(this::runOnOwnThread);
        thread = t;
        t.start();
    }

    /**
     * Resets the step state for a run under {@code lease}, without running a step: {@link #start} runs them; tests
     * run them one by one with {@link #stepSafely()} and read each pause it returns.
     */
    void prepare(Lease lease, @Nullable StreamPool pool) {
        running = true;
        fencedOff = false;
        leaseName = lease.name();
        checkpointId = checkpointId(leaseName, scopeName);
        epoch = lease.epoch();
        claimed = false;
        startAfter = null;
        failures.reset();
        idle.reset();
        cannotOpenReason = null;
        finished = new CountDownLatch(1);
        this.pool = pool;
    }

    /**
     * Asks the watcher to stop, without waiting: it ends at its next poll (within {@code maxAwaitTime}) or pause.
     * It is not interrupted — an interrupt inside a Redis call would count as a Redis fault of the whole cache.
     */
    public void requestStop() {
        running = false;
        watching = false;
        synchronized (pause) {
            pause.notifyAll();
        }
        StreamPool p = pool;
        if (p != null) {
            p.wake(this);
        }
    }

    /** Stops watching and waits (up to 10 s) for it to end. */
    public synchronized void stop() {
        requestStop();
        if (thread != Thread.currentThread()) {
            try {
                finished.await(10, TimeUnit.SECONDS);
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

    /** Times the stream's history was lost (each flushed the scope once). */
    public long historyLost() {
        return historyLost.get();
    }

    /**
     * Opens refused because the server cannot open a change stream here (not a replica set or sharded cluster, no
     * privilege); none of them dropped a token or flushed anything.
     */
    public long cannotOpen() {
        return cannotOpen.get();
    }

    /**
     * The server's reason while the latest open was refused as "cannot open" (e.g. {@code 40573 (Location40573):
     * The $changeStream stage is only supported on replica sets}); null once a stream opens.
     */
    public @Nullable String cannotOpenReason() {
        return cannotOpenReason;
    }

    /** Shares the "said once at WARN" flag of cannot-open among a coordinator's watchers. */
    void shareCannotOpenWarning(java.util.concurrent.atomic.AtomicBoolean warned) {
        this.cannotOpenWarned = warned;
    }

    /** Streams opened (successfully or not) so far. */
    public long opens() {
        return opens.get();
    }

    /** Checkpoint writes so far (events and idle progress). */
    public long checkpointWrites() {
        return checkpointWrites.get();
    }

    /** Times the whole scope was flushed on every node: fresh starts without a checkpoint, and lost history. */
    public long flushes() {
        return flushes.get();
    }

    /**
     * How long invalidations have been failing to reach Redis (zero while they do). Meanwhile nothing is
     * checkpointed and the stream replays from the last checkpoint; a leader in this state should hand over.
     */
    public Duration publishFailingFor() {
        long since = publishFailingSince;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    private void shared(boolean reachedEveryNode) {
        if (reachedEveryNode) {
            publishFailingSince = 0;
            return;
        }
        if (publishFailingSince == 0) {
            publishFailingSince = System.nanoTime();
        }
        throw new NotShared();
    }

    /** Whether a newer leader's checkpoint refused this watcher's (it stopped). */
    public boolean fencedOff() {
        return fencedOff;
    }

    /** Own-thread mode: runs the steps until the watcher ends, pausing between them as they ask. */
    private void runOnOwnThread() {
        try {
            long delay;
            while ((delay = stepSafely()) >= 0) {
                if (delay > 0) {
                    sleep(delay);
                }
            }
        } finally {
            finish();
        }
    }

    /** One step, with a watcher that dies logged and ended (its leader hands over). */
    long stepSafely() {
        try {
            return step();
        } catch (RuntimeException | Error e) {
            LOG.error("mongocache: the watcher of {} died; its leader will hand over", scopeName, e);
            return -1;
        }
    }

    /** Ends the watcher: closes the stream; an end nobody asked for counts as failing, so the leader hands over. */
    void finish() {
        closeCursor();
        if (running && publishFailingSince == 0) {
            publishFailingSince = System.nanoTime();
        }
        watching = false;
        finished.countDown();
    }

    private void closeCursor() {
        MongoChangeStreamCursor<ChangeStreamDocument<Document>> c = cursor;
        cursor = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("mongocache: closing the stream of {} failed", scopeName, e);
            }
        }
    }

    /**
     * One step of the watcher: claims the checkpoint, opens the stream, or polls it for up to {@code MAX_BATCH}
     * events. Returns how many milliseconds to pause before the next step, or -1 when the watcher has ended.
     * Steps of one watcher never overlap (its own thread, or the pool schedules the next only after this one).
     */
    private long step() {
        if (!running) {
            return -1;
        }
        try {
            if (!claimed) {
                if (!claim(epoch)) {
                    fencedOff = true;
                    running = false;
                    LOG.warn("mongocache: a newer leader owns {}; not watching", checkpointId);
                    return -1;
                }
                startAfter = storedToken();
                claimed = true;
            }
        } catch (MongoException e) {
            LOG.warn("mongocache: cannot read the checkpoint of {} ({}); retrying", scopeName, e.toString());
            return backOff();
        }
        boolean opening = false; // whether an error below came from opening the stream, not polling an open one
        try {
            if (cursor == null) {
                // Without a token (first start, lost history, an error before the first token) nothing tells us
                // what changed before the stream opens: flush the scope right after it opened, so every write is
                // covered either by the flush or by the stream.
                boolean fresh = startAfter == null;
                opening = true;
                cursor = open(startAfter);
                opening = false;
                if (cannotOpenReason != null) {
                    LOG.info("mongocache: change stream on {} opened after {} refused opens", scopeName,
                            cannotOpen.get());
                    cannotOpenReason = null;
                }
                if (fresh) {
                    flushScope();
                }
                watching = true;
                failures.reset();
                idle.reset();
            }
            MongoChangeStreamCursor<ChangeStreamDocument<Document>> open = cursor;
            for (int n = 0; n < MAX_BATCH && running; n++) {
                long polled = System.nanoTime();
                ChangeStreamDocument<Document> event = open.tryNext();
                if (event == null) {
                    // The post-batch token moves while idle; recording it at most every few seconds keeps a
                    // quiet stream from writing on every poll (a restart replays at most those seconds).
                    BsonDocument token = open.getResumeToken();
                    if (token != null && !token.equals(startAfter)
                            && System.nanoTime() - lastCheckpointNanos >= idleCheckpointNanos()) {
                        if (!checkpoint(epoch, token, null)) {
                            return -1;
                        }
                        startAfter = token;
                    }
                    // A server that honours maxAwaitTime already waited; one that answers at once (the in-process
                    // test server, or a pooled stream's short await) gets a growing pause so idle polling never
                    // spins a core.
                    if (System.nanoTime() - polled < awaitMillis() * 1_000_000L / 2) {
                        return idle.next(idleCapMillis());
                    }
                    return 0;
                }
                idle.reset();
                MongoNamespace eventNamespace = event.getNamespace() != null ? event.getNamespace()
                        : collection != null ? new MongoNamespace(database, collection) : null;
                if (eventNamespace != null && isStateCollection(stateDatabase, eventNamespace)) {
                    continue; // the library's own bookkeeping (a checkpoint, a heartbeat): nothing to do
                }
                eventsSeen.incrementAndGet();
                ChangeEvents.Translation translation = ChangeEvents.translate(raw(event));
                for (Invalidation invalidation : translation.invalidations()) {
                    shared(cache.invalidateShared(invalidation));
                }
                BsonDocument token = event.getResumeToken();
                if (!checkpoint(epoch, token, event.getClusterTime())) {
                    return -1;
                }
                startAfter = token;
                if (translation.reopen()) {
                    closeCursor();
                    return 0;
                }
            }
            return 0;
        } catch (MongoException e) {
            closeCursor();
            if (!running) {
                return -1;
            }
            ChangeStreamErrors.Kind kind = ChangeStreamErrors.classify(e);
            if (kind == ChangeStreamErrors.Kind.CANNOT_OPEN && opening) {
                return refusedToOpen(e);
            }
            if (kind != ChangeStreamErrors.Kind.RESUMABLE) {
                // The token is dead, or not known to be alive: never retry it. Forget it; the fresh stream's flush
                // (when one opens) covers everything it might have told us.
                if (kind == ChangeStreamErrors.Kind.HISTORY_LOST) {
                    historyLost.incrementAndGet();
                    LOG.warn("mongocache: change stream on {} lost its history ({}); dropping its token, the scope "
                            + "is flushed everywhere when the stream reopens", scopeName, ChangeStreamErrors.reason(e));
                } else {
                    LOG.warn("mongocache: change stream on {} failed and cannot resume ({}); {}", scopeName,
                            ChangeStreamErrors.reason(e), startAfter == null ? "reopening"
                                    : "dropping its token, the scope is flushed everywhere when the stream reopens");
                }
                if (startAfter != null) {
                    startAfter = null;
                    try {
                        if (!checkpoint(epoch, null, null)) {
                            return -1;
                        }
                    } catch (StateUnavailable unavailable) {
                        // The dead token stays stored; a later leader tries it once, gets 286, drops it.
                        LOG.warn("mongocache: could not drop the dead token of {}", scopeName);
                    }
                }
            }
            return backOff();
        } catch (RuntimeException e) {
            closeCursor();
            if (!running) {
                return -1;
            }
            LOG.warn("mongocache: change stream on {} failed ({}); reopening", scopeName, e.toString());
            return backOff();
        }
    }

    /**
     * The server cannot open a change stream here: nothing was lost and nothing is flushed; the token stays. Said
     * once at WARN (the reason stays in {@link #cannotOpenReason()}); retried slowly — a topology or a privilege does
     * not change within milliseconds.
     */
    private long refusedToOpen(MongoException e) {
        String reason = ChangeStreamErrors.reason(e);
        cannotOpen.incrementAndGet();
        cannotOpenReason = reason;
        watching = false;
        if (cannotOpenWarned.compareAndSet(false, true)) {
            LOG.warn("mongocache: a change stream cannot open on {} ({}); writes by other programs are not "
                    + "invalidated until one opens (they stay cached up to their TTL). Change streams need a replica "
                    + "set or a sharded cluster and the changeStream privilege; retrying up to every {} s",
                    scopeName, reason, CANNOT_OPEN_MAX_BACKOFF_MILLIS / 1000);
        } else {
            LOG.debug("mongocache: a change stream cannot open on {} ({}); retrying", scopeName, reason);
        }
        return failures.next(CANNOT_OPEN_FIRST_BACKOFF_MILLIS, CANNOT_OPEN_MAX_BACKOFF_MILLIS);
    }

    private void flushScope() {
        // A database's namespaces are not all known here: flushing a database flushes everything (as
        // MongoCache.invalidateDatabase does).
        shared(cache.invalidateShared(collection == null ? Invalidation.everything()
                : Invalidation.namespace(scopeName)));
        flushes.incrementAndGet();
    }

    private MongoChangeStreamCursor<ChangeStreamDocument<Document>> open(@Nullable BsonDocument startAfter) {
        opens.incrementAndGet();
        beforeOpen.accept(startAfter);
        MongoDatabase db = client.getDatabase(database);
        ChangeStreamIterable<Document> stream = (collection == null ? db.watch() : db.getCollection(collection).watch())
                .maxAwaitTime(awaitMillis(), TimeUnit.MILLISECONDS);
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
            checkpoints.updateOne(and(eq("_id", checkpointId), lt("epoch", epoch)), Updates.combine(
                    Updates.set("epoch", epoch), Updates.setOnInsert("lease", leaseName),
                    Updates.setOnInsert("scope", scopeName)), new UpdateOptions().upsert(true));
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

    /**
     * Records the resume token (and the event's cluster time, when known — operators and tests use it to see the
     * checkpoint only moves forward) under this epoch; false (and stop) if a newer leader owns the checkpoint.
     */
    private boolean checkpoint(long epoch, @Nullable BsonDocument token, @Nullable BsonTimestamp clusterTime) {
        Bson update = token == null ? Updates.unset("token") : Updates.set("token", token);
        if (clusterTime != null) {
            update = Updates.combine(update, Updates.set("clusterTime", clusterTime));
        }
        long matched;
        try {
            matched = checkpoints.updateOne(and(eq("_id", checkpointId), eq("epoch", epoch)), update)
                    .getMatchedCount();
        } catch (MongoException e) {
            throw new StateUnavailable(e);
        }
        checkpointWrites.incrementAndGet();
        lastCheckpointNanos = System.nanoTime();
        if (matched == 0) {
            fencedOff = true;
            running = false;
            LOG.warn("mongocache: checkpoint of {} refused for epoch {}: a newer leader exists; stopping",
                    scopeName, epoch);
            return false;
        }
        return true;
    }

    /** The pause before the next try, doubled for the one after (at most {@code MAX_BACKOFF_MILLIS}). */
    private long backOff() {
        return failures.next(MAX_BACKOFF_MILLIS);
    }

    private long awaitMillis() {
        StreamPool p = pool;
        return p == null ? MAX_AWAIT.toMillis() : p.awaitMillis();
    }

    private long idleCapMillis() {
        StreamPool p = pool;
        return p == null ? IDLE_CAP_MILLIS : p.idleCapMillis();
    }

    private long idleCheckpointNanos() {
        StreamPool p = pool;
        return p == null ? IDLE_CHECKPOINT_EVERY.toNanos() : p.idleCheckpointNanos();
    }

    /** Pauses unless stopped; {@link #requestStop()} wakes it. */
    private void sleep(long millis) {
        synchronized (pause) {
            if (!running) {
                return;
            }
            try {
                pause.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }
}

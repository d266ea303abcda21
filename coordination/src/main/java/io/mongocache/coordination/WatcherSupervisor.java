package io.mongocache.coordination;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the change-stream watchers of the scope while this node leads: starts them when the elector says it leads,
 * stops them (synchronously, before the lease may pass on) when it stops leading, looks for new collections where
 * only per-collection streams exist, and hands the lease over when its watchers cannot do their job. It reports
 * the watchers' state for {@link Coordinator#status()} and {@link Coordinator#health()}.
 *
 * <p>Concurrency: leadership callbacks come on the elector's thread; starting watchers, the collection refresh and
 * the hand-over check run on the coordinator's background thread. {@code watchLock} orders starting against
 * stopping: a start for a lease that is no longer {@code watching} does nothing, so no watcher outlives its term.
 * Stopping first asks every watcher to stop without the lock (a start may hold it during I/O), then waits under it.
 */
final class WatcherSupervisor implements LeaderElector.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(WatcherSupervisor.class);

    private final Coordinator.Settings config;
    private final MongoDatabase state;
    private final ScheduledExecutorService background;
    private final Supplier<List<NodeRegistry.Peer>> alive;
    /** Re-announces this node in the registry (the new leader shows at once). */
    private final Runnable announce;
    private final Object watchLock = new Object();
    private final Map<String, ChangeStreamWatcher> watchers = new ConcurrentHashMap<>();
    /** Watched collections flushed for vanishing from the list, with the events their stream had seen then. */
    private final Map<String, Long> vanished = new ConcurrentHashMap<>();
    /** Runs the per-collection streams of database scopes (its threads start with the first such stream). */
    private final StreamPool streams;
    private final AtomicLong stepDowns = new AtomicLong();
    private volatile @Nullable StepDown lastStepDown;
    private volatile @Nullable Lease watching;
    private @Nullable ScheduledFuture<?> refresh;
    private @Nullable Boolean databaseStreams;
    /** Whether this leadership term said at WARN that a stream cannot open (said once, not per stream). */
    private AtomicBoolean cannotOpenWarned = new AtomicBoolean();
    /**
     * Whether this node already handed the watcher over because no stream could open, since it last saw one open:
     * each node hands over once (another node may be able to open streams), then the leader of the moment keeps
     * retrying instead of the lease bouncing between nodes none of which can.
     */
    private volatile boolean handedOverCannotOpen;
    private volatile @Nullable LeaderElector elector;
    private volatile boolean closed;

    private record StepDown(String reason, long atNanos) {}

    WatcherSupervisor(Coordinator.Settings config, MongoDatabase state, ScheduledExecutorService background,
            Supplier<List<NodeRegistry.Peer>> alive, Runnable announce) {
        this.config = config;
        this.state = state;
        this.background = background;
        this.alive = alive;
        this.announce = announce;
        this.streams = new StreamPool(config.streamThreads);
    }

    /** The elector this supervisor listens to (built with it as its listener, so given afterwards). */
    void attach(LeaderElector elector) {
        this.elector = elector;
    }

    /** Whether this node holds the lease (within its local deadline). */
    boolean isLeader() {
        LeaderElector e = elector;
        return e != null && e.isLeader();
    }

    /** The lease held, if leading. */
    java.util.Optional<Lease> lease() {
        LeaderElector e = elector;
        return e == null ? java.util.Optional.empty() : e.lease();
    }

    /**
     * A leader whose watcher cannot do its job hands it over, loudly (WARN, {@link #status()}, {@link #health()}):
     * a watcher fenced off by a newer epoch's checkpoint, or one that cannot get invalidations to Redis (this node
     * is cut off from it, the others may not be: it checkpoints nothing, and after {@code renewDeadline} of that it
     * resigns and stays out for a lease duration, so a node that can reach Redis takes over and replays from the
     * last checkpoint), or one that died. A watcher the server refuses to open a stream for (a standalone server,
     * a missing privilege) hands over once while another node is alive — that node's client may be allowed, or
     * connected elsewhere — and then, if the watcher comes back and still cannot open, leads on and retries with
     * back-off: a lease bouncing between nodes none of which can open a stream would help nobody.
     */
    void handOverIfWatcherFails() {
        LeaderElector elector = this.elector;
        if (closed || elector == null || !elector.isLeader()) {
            return;
        }
        if (watchers.values().stream().anyMatch(ChangeStreamWatcher::isWatching)) {
            handedOverCannotOpen = false; // streams open here: a later refusal is news again
        }
        for (ChangeStreamWatcher w : watchers.values()) {
            String cannotOpen = w.cannotOpenReason();
            if (cannotOpen != null && !handedOverCannotOpen && alive.get().stream()
                    .anyMatch(peer -> !peer.nodeId().equals(config.nodeId))) {
                handedOverCannotOpen = true;
                stepDown(w.scope() + ": a change stream cannot open (" + cannotOpen + "); another node may be able to");
                return;
            }
            if (w.fencedOff()) {
                // Under keyed checkpoints only a newer epoch of this very lease can own the checkpoint: this node's
                // lease is gone whatever its local deadline says. Leading on without a watcher would leave outside
                // writes uninvalidated, silently.
                stepDown(w.scope() + ": its checkpoint belongs to a newer epoch than " + lease().map(Lease::epoch)
                        .orElse(0L) + " (another node leads the lease '" + config.leaseName + "')");
                return;
            }
            if (w.publishFailingFor().compareTo(config.lease.renewDeadline()) > 0) {
                stepDown(w.scope() + ": cannot get invalidations to Redis (for " + w.publishFailingFor() + ")");
                return;
            }
        }
    }

    private void stepDown(String reason) {
        LOG.warn("mongocache: node {} hands the watcher over: {}", config.nodeId, reason);
        stepDowns.incrementAndGet();
        lastStepDown = new StepDown(reason, config.nanoClock.getAsLong());
        LeaderElector e = elector;
        if (e != null) {
            e.resign(config.lease.leaseDuration());
        }
    }

    // Leadership: starts and stops the watchers as it comes and goes; stopping is synchronous (the lease rule).

    @Override
    public void becameLeader(Lease lease) {
        LOG.info("mongocache: node {} leads the watcher (epoch {})", config.nodeId, lease.epoch());
        watching = lease;
        background.execute(() -> startWatching(lease));
        background.execute(announce); // the registry shows the new leader at once
        try {
            config.listener.becameLeader(lease);
        } catch (RuntimeException e) {
            LOG.warn("mongocache: the onLeadership listener threw on becameLeader; ignored", e);
        }
    }

    @Override
    public void stoppedLeading(Lease lease) {
        // Tell every watcher at once (no lock: the background thread may hold it during I/O), then wait.
        watching = null;
        for (ChangeStreamWatcher w : watchers.values()) {
            w.requestStop();
        }
        synchronized (watchLock) {
            if (refresh != null) {
                refresh.cancel(false);
                refresh = null;
            }
            for (ChangeStreamWatcher w : watchers.values()) {
                w.stop();
            }
            watchers.clear();
            vanished.clear();
        }
        LOG.info("mongocache: node {} stopped leading the watcher (epoch {})", config.nodeId, lease.epoch());
        if (!closed) {
            background.execute(announce);
        }
        config.listener.stoppedLeading(lease);
    }

    private void startWatching(Lease lease) {
        synchronized (watchLock) {
            if (watching != lease || closed) {
                return;
            }
            cannotOpenWarned = new AtomicBoolean();
            WatchScope scope = config.scope;
            for (MongoNamespace ns : scope.namespaces()) {
                if (!ChangeStreamWatcher.isStateCollection(config.stateDatabase, ns)) {
                    watch(lease, new ChangeStreamWatcher(config.client, ns, config.cache, checkpoints()));
                }
            }
            if (scope.databaseNames().isEmpty()) {
                return;
            }
            if (databaseStreams == null) {
                databaseStreams = probeDatabaseStreams();
                LOG.info("mongocache: database-level change streams {}", databaseStreams ? "available"
                        : "unavailable; one stream per collection");
            }
            if (databaseStreams) {
                for (String db : scope.databaseNames()) {
                    watch(lease, ChangeStreamWatcher.database(config.client, db, config.cache, checkpoints()));
                }
            } else {
                refreshCollections(lease);
                long every = config.collectionRefresh.toNanos();
                refresh = background.scheduleWithFixedDelay(() -> refreshCollections(lease), every, every,
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    private MongoCollection<Document> checkpoints() {
        return state.getCollection("checkpoints");
    }

    private void watch(Lease lease, ChangeStreamWatcher watcher) {
        watch(lease, watcher, null);
    }

    private void watch(Lease lease, ChangeStreamWatcher watcher, @Nullable StreamPool pool) {
        if (watching == lease && watchers.putIfAbsent(watcher.scope(), watcher) == null) {
            watcher.shareCannotOpenWarning(cannotOpenWarned);
            watcher.start(lease, pool);
        }
    }

    private void refreshCollections(Lease lease) {
        synchronized (watchLock) {
            if (watching != lease || closed) {
                return;
            }
            try {
                for (String db : config.scope.databaseNames()) {
                    java.util.Set<String> listed = new java.util.HashSet<>();
                    for (String coll : config.client.getDatabase(db).listCollectionNames()) {
                        String ns = db + "." + coll;
                        if (!coll.startsWith("system.") && !ChangeStreamWatcher.isStateCollection(
                                config.stateDatabase, new MongoNamespace(db, coll))) {
                            listed.add(ns);
                            vanished.remove(ns);
                            if (!watchers.containsKey(ns)) {
                                watch(lease, new ChangeStreamWatcher(config.client, new MongoNamespace(db, coll),
                                        config.cache, checkpoints()), streams);
                            }
                        }
                    }
                    // A watched collection gone from the list was dropped or renamed away; a server whose
                    // collection streams miss that event (the in-process test server sends none for a rename)
                    // still gets it flushed, once per life: a collection recreated and renamed away again between
                    // two listings is told apart by the events its stream saw since the last flush.
                    for (Map.Entry<String, ChangeStreamWatcher> w : watchers.entrySet()) {
                        String scope = w.getKey();
                        long events = w.getValue().eventsSeen();
                        Long flushedAt = vanished.get(scope);
                        if (scope.startsWith(db + ".") && !listed.contains(scope)
                                && (flushedAt == null || events > flushedAt)
                                && config.hooks.invalidateShared(io.mongocache.invalidation.Invalidation.namespace(scope))) {
                            vanished.put(scope, events);
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("mongocache: listing collections to watch failed ({}); retrying", e.toString());
            }
        }
    }

    /**
     * Whether the server sends document events on a database-level stream: opens one on the state database,
     * inserts a probe document and waits up to 2 s for its event.
     */
    private boolean probeDatabaseStreams() {
        MongoCollection<Document> probe = state.getCollection("probe");
        Object id = config.nodeId + ":" + System.nanoTime();
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor =
                state.watch().maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            probe.insertOne(new Document("_id", id));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < end) {
                ChangeStreamDocument<Document> event = cursor.tryNext();
                if (event != null && "insert".equals(event.getOperationTypeString())) {
                    return true;
                }
                if (event == null) {
                    Thread.sleep(20);
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.debug("mongocache: database-level change stream probe failed", e);
            return false;
        } finally {
            try {
                probe.deleteOne(new Document("_id", id));
            } catch (RuntimeException e) {
                LOG.debug("mongocache: removing the probe document failed", e);
            }
        }
    }

    Coordinator.Status status() {
        List<String> scopes = List.copyOf(watchers.keySet());
        long events = 0;
        long flushes = 0;
        long lost = 0;
        long cannotOpen = 0;
        String cannotOpenReason = null;
        int open = 0;
        long checkpointWrites = 0;
        for (ChangeStreamWatcher w : watchers.values()) {
            checkpointWrites += w.checkpointWrites();
            events += w.eventsSeen();
            flushes += w.flushes();
            lost += w.historyLost();
            cannotOpen += w.cannotOpen();
            if (cannotOpenReason == null) {
                cannotOpenReason = w.cannotOpenReason();
            }
            open += w.isWatching() ? 1 : 0;
        }
        StepDown last = lastStepDown;
        return new Coordinator.Status(isLeader(), lease().map(Lease::epoch).orElse(0L), scopes, open, events,
                flushes, lost, cannotOpen, cannotOpenReason, checkpointWrites, stepDowns.get(), last == null ? null : last.reason());
    }

    /** What is wrong with the watchers (empty when nothing is). */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (isLeader()) {
            for (ChangeStreamWatcher w : watchers.values()) {
                if (w.fencedOff()) {
                    problems.add("the watcher of " + w.scope() + " was fenced off by a newer epoch's checkpoint");
                } else if (w.cannotOpenReason() != null) {
                    problems.add("a change stream cannot open on " + w.scope() + " (" + w.cannotOpenReason()
                            + "): writes by other programs stay cached up to their TTL");
                } else if (w.publishFailingFor().compareTo(Duration.ZERO) > 0) {
                    problems.add("the watcher of " + w.scope() + " has not got an invalidation to Redis for "
                            + w.publishFailingFor());
                }
            }
        }
        StepDown last = lastStepDown;
        if (last != null && config.nanoClock.getAsLong() - last.atNanos()
                < config.lease.leaseDuration().multipliedBy(2).toNanos()) {
            problems.add("handed the watcher over: " + last.reason());
        }
        return problems;
    }

    /** From now on no watcher starts and a term that ends does not re-announce; call before the elector closes. */
    void stopping() {
        closed = true;
    }

    /** Releases the stream threads (after the elector closed: its last term's watchers have stopped). */
    void close() {
        closed = true;
        streams.close();
    }
}

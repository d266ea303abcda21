package io.mongocache.coordination;

import com.mongodb.MongoNamespace;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.lettuce.core.RedisURI;
import io.mongocache.MongoCache;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.common.Masking;
import io.mongocache.pooling.MongoPools;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in a deployment: it registers in the node registry, competes for the watcher lease, and while
 * it leads runs the change-stream watchers of the configured scope; it serves and sends delegated reads.
 *
 * <pre>{@code
 * Coordinator coordinator = Coordinator.builder()
 *         .client(mongoClient).cache(cache)
 *         .watch(WatchScope.databases("shop"))
 *         .pools(pools).delegate("shop").redis("redis://cache:6379")
 *         .start();
 * List<Document> open = coordinator.read(ReadRequest.find("shop", "orders", eq("state", "open")),
 *         Duration.ofSeconds(2));   // runs here, or on a peer when this node's "shop" pool is saturated
 * }</pre>
 *
 * <p>State lives in the state database (default {@code mongocache}): {@code leases}, {@code checkpoints} and
 * {@code nodes}. Background work runs on two daemon threads: the elector's, and one for heartbeats, the
 * collection refresh and starting watchers.
 */
@ThreadSafe
public final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final Settings config;
    private final MongoDatabase state;
    private final NodeRegistry registry;
    private final @Nullable LeaderElector elector;
    private final @Nullable String channel;
    private volatile @Nullable Delegation delegation;
    private final ScheduledExecutorService electorThread;
    private final ScheduledExecutorService background;
    private final Object watchLock = new Object();
    private final Map<String, ChangeStreamWatcher> watchers = new ConcurrentHashMap<>();
    /** Watched collections flushed for vanishing from the list, with the events their stream had seen then. */
    private final Map<String, Long> vanished = new ConcurrentHashMap<>();
    private volatile List<NodeRegistry.Peer> alive = List.of();
    private volatile @Nullable Lease watching;
    private @Nullable ScheduledFuture<?> refresh;
    private @Nullable Boolean databaseStreams;
    /** Whether this leadership term said at WARN that a stream cannot open (said once, not per stream). */
    private AtomicBoolean cannotOpenWarned = new AtomicBoolean();
    private volatile boolean closed;
    /** Runs the per-collection streams of database scopes (its threads start with the first such stream). */
    private final StreamPool streams;
    private final java.util.concurrent.atomic.AtomicLong stepDowns = new java.util.concurrent.atomic.AtomicLong();
    private volatile @Nullable StepDown lastStepDown;
    /**
     * Whether this node already handed the watcher over because no stream could open, since it last saw one open:
     * each node hands over once (another node may be able to open streams), then the leader of the moment keeps
     * retrying instead of the lease bouncing between nodes none of which can.
     */
    private volatile boolean handedOverCannotOpen;

    private Coordinator(Settings b) {
        this.config = b;
        this.state = b.client.getDatabase(b.stateDatabase);
        this.channel = b.delegated.isEmpty() ? null : b.keyPrefix + ":dlg:" + b.nodeId;
        this.registry = new NodeRegistry(state.getCollection("nodes"), new NodeRegistry.NodeInfo(b.nodeId, host(),
                ProcessHandle.current().pid(), Instant.now(), channel), b.heartbeatInterval.multipliedBy(3));
        this.electorThread =
                Executors.newSingleThreadScheduledExecutor(DaemonThreadFactory.numbered("mongocache-elector-"));
        this.background =
                Executors.newSingleThreadScheduledExecutor(DaemonThreadFactory.numbered("mongocache-coordinator-"));
        this.streams = new StreamPool(b.streamThreads);
        // A lease call that cannot finish within the renew deadline is a lost renewal anyway: bound it (the
        // driver's client-side operation timeout), so a hung server cannot keep a leader leading past its lease.
        MongoCollection<Document> leases = state.getCollection("leases")
                .withTimeout(b.lease.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
        this.elector = b.scope == null ? null : new LeaderElector(new LeaseStore(leases), b.leaseName, b.nodeId,
                b.lease, electorThread, b.nanoClock, new Leadership());
    }

    /**
     * Connects the delegation channel; while Redis is unreachable it retries every 2 s, and until then a saturated
     * read fails with {@link NoPeerAvailableException} and peers asking this node find nobody listening.
     */
    private void connectDelegation() {
        if (closed || channel == null) {
            return;
        }
        MongoPools pools = config.pools;
        try {
            delegation = new Delegation(config.nodeId, channel, RedisTransport.connect(config.redisUris,
                    config.redisCluster, config.delegation.ackTimeout()), config.delegation,
                    java.util.Set.copyOf(config.delegated), pools::database,
                    db -> pools.pools().freeConnections(db), () -> alive);
            if (closed) {
                delegation.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("mongocache: delegation channel not connected ({}); retrying in 2 s",
                    Masking.inText(e.toString()));
            background.schedule(this::connectDelegation, 2, TimeUnit.SECONDS);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private Coordinator begin() {
        connectDelegation();
        if (channel != null) {
            config.cache.readDelegate(new Misses());
        }
        heartbeat();
        background.scheduleWithFixedDelay(this::heartbeat, config.heartbeatInterval.toNanos(),
                config.heartbeatInterval.toNanos(), TimeUnit.NANOSECONDS);
        if (elector != null) {
            elector.start();
            long every = config.lease.retryPeriod().toNanos();
            background.scheduleWithFixedDelay(this::handOverIfWatcherFails, every, every, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** This node's id in the registry and on the lease. */
    public String nodeId() {
        return config.nodeId;
    }

    /** Whether this node holds the watcher lease (within its local deadline). */
    public boolean isLeader() {
        return elector != null && elector.isLeader();
    }

    /** The lease held, if leading. */
    public Optional<Lease> lease() {
        return elector == null ? Optional.empty() : elector.lease();
    }

    /** The registry of nodes (operators can also read the {@code nodes} collection of the state database). */
    public NodeRegistry registry() {
        return registry;
    }

    /** Live nodes as of the last heartbeat, this one included. */
    public List<NodeRegistry.Peer> peers() {
        return alive;
    }

    /**
     * The watcher's state on this node.
     *
     * @param leader whether this node leads
     * @param epoch the lease epoch led under, 0 when not leading
     * @param scopes what is watched now (collections {@code db.coll}, or databases)
     * @param streamsOpen how many of them have an open stream
     * @param events change events turned into invalidations by the current watchers
     * @param flushes whole-scope flushes (fresh starts, lost history)
     * @param historyLost streams whose history was lost
     * @param cannotOpen opens the server refused because it cannot open a change stream here (a standalone server,
     *     no privilege); they lose nothing and flush nothing, but outside writes are not seen meanwhile
     * @param cannotOpenReason the server's reason while a watcher's latest open was refused so, else null
     * @param checkpointWrites checkpoint writes of the current watchers (events and idle progress)
     * @param stepDowns times this node handed the watcher over on its own (cut off from Redis, a watcher fenced off
     *     by a newer epoch's checkpoint, a watcher that died)
     * @param lastStepDown why it last did, or null if it never did
     */
    public record Status(boolean leader, long epoch, List<String> scopes, int streamsOpen, long events, long flushes,
            long historyLost, long cannotOpen, @Nullable String cannotOpenReason, long checkpointWrites,
            long stepDowns, @Nullable String lastStepDown) {}

    public Status status() {
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
        return new Status(isLeader(), lease().map(Lease::epoch).orElse(0L), scopes, open, events, flushes, lost,
                cannotOpen, cannotOpenReason, checkpointWrites, stepDowns.get(), last == null ? null : last.reason());
    }

    /**
     * This node's coordination health: healthy unless it leads with a watcher that is not watching (fenced off,
     * failing to publish, dead, or refused by a server that cannot open change streams), or it handed the watcher
     * over on its own within the last two lease durations.
     *
     * @param healthy whether nothing below is wrong
     * @param problems what is wrong, one line each, empty when healthy
     */
    public record Health(boolean healthy, List<String> problems) {}

    public Health health() {
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
        return new Health(problems.isEmpty(), List.copyOf(problems));
    }

    private record StepDown(String reason, long atNanos) {}

    /** Delegation counters; empty without delegation. */
    public Optional<Delegation.Stats> delegationStats() {
        Delegation d = delegation;
        return d == null ? Optional.empty() : Optional.of(d.stats());
    }

    /**
     * Runs an idempotent read on this node — or, when this node's pool for the database is saturated, on a peer
     * that advertises free capacity for it.
     *
     * @throws NoPeerAvailableException if the pool is saturated and no peer could serve within {@code deadline}
     * @throws IllegalStateException if delegation is not configured for {@code request}'s database
     */
    public List<Document> read(ReadRequest request, Duration deadline) {
        Checks.positive("deadline", deadline);
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        if (!config.delegated.contains(request.database())) {
            throw new IllegalStateException("read: database '" + request.database()
                    + "' is not open to delegation (Coordinator.Builder.delegate(...): " + config.delegated + ")");
        }
        MongoPools pools = config.pools;
        if (!pools.pools().isSaturated(request.database())) {
            List<org.bson.RawBsonDocument> out = new ArrayList<>();
            request.run(pools.database(request.database()).withTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS),
                    out::add);
            return Delegation.documents(out);
        }
        Delegation d = delegation;
        if (d == null) {
            throw new NoPeerAvailableException(request.database(), 0,
                    List.of("this node's delegation channel is not connected (Redis unreachable)"));
        }
        return d.read(request, deadline);
    }

    /**
     * The delegation endpoint itself (to delegate regardless of this node's pool); empty without delegation or
     * while its Redis connection is not up.
     */
    public Optional<Delegation> delegation() {
        return Optional.ofNullable(delegation);
    }

    /**
     * The cache's read delegate: a miss on a delegated database whose pool is saturated runs on a peer; when no peer
     * can serve within {@code missDeadline} it runs here after all (waiting for a connection, as without
     * delegation) — a cached read never fails because of delegation.
     */
    private final class Misses implements io.mongocache.spi.ReadDelegate {
        @Override
        public @Nullable List<org.bson.RawBsonDocument> find(String database, String collection,
                org.bson.BsonDocument filter, org.bson.@Nullable BsonDocument projection,
                org.bson.@Nullable BsonDocument sort, int skip, int limit) {
            return find(database, collection, filter, projection, sort, skip, limit, Long.MAX_VALUE);
        }

        @Override
        public @Nullable List<org.bson.RawBsonDocument> find(String database, String collection,
                org.bson.BsonDocument filter, org.bson.@Nullable BsonDocument projection,
                org.bson.@Nullable BsonDocument sort, int skip, int limit, long maxBytes) {
            return elsewhere(database, () -> ReadRequest.find(database, collection, filter).projection(projection)
                    .sort(sort).skip(skip).limit(limit), maxBytes);
        }

        @Override
        public @Nullable List<org.bson.RawBsonDocument> aggregate(String database, String collection,
                List<org.bson.BsonDocument> pipeline) {
            return aggregate(database, collection, pipeline, Long.MAX_VALUE);
        }

        @Override
        public @Nullable List<org.bson.RawBsonDocument> aggregate(String database, String collection,
                List<org.bson.BsonDocument> pipeline, long maxBytes) {
            return elsewhere(database, () -> ReadRequest.aggregate(database, collection, pipeline), maxBytes);
        }

        @Override
        public @Nullable Long count(String database, String collection, org.bson.BsonDocument filter) {
            List<org.bson.RawBsonDocument> result = elsewhere(database,
                    () -> ReadRequest.count(database, collection, filter), Long.MAX_VALUE);
            if (result == null || result.size() != 1 || !result.get(0).isNumber("n")) {
                return null;
            }
            return result.get(0).getNumber("n").longValue();
        }

        private @Nullable List<org.bson.RawBsonDocument> elsewhere(String database,
                java.util.function.Supplier<ReadRequest> request, long maxBytes) {
            Delegation d = delegation;
            if (d == null || !config.delegated.contains(database) || !config.pools.pools().isSaturated(database)) {
                return null;
            }
            try {
                return d.readRaw(request.get(), config.missDeadline, maxBytes);
            } catch (DelegationException | IllegalArgumentException e) {
                LOG.debug("mongocache: delegating a miss on {} failed ({}); running it here", database,
                        e.getMessage());
                return null;
            }
        }
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        try {
            Map<String, Integer> capacity = new LinkedHashMap<>();
            for (String db : config.delegated) {
                capacity.put(db, config.pools.pools().freeConnections(db));
            }
            registry.heartbeat(lease().map(Lease::epoch).orElse(null), capacity);
            alive = registry.alive();
        } catch (RuntimeException e) {
            LOG.warn("mongocache: node heartbeat failed ({}); peers see this node as gone after {}", e.toString(),
                    config.heartbeatInterval.multipliedBy(3));
        }
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
    private void handOverIfWatcherFails() {
        if (closed || elector == null || !elector.isLeader()) {
            return;
        }
        if (watchers.values().stream().anyMatch(ChangeStreamWatcher::isWatching)) {
            handedOverCannotOpen = false; // streams open here: a later refusal is news again
        }
        for (ChangeStreamWatcher w : watchers.values()) {
            String cannotOpen = w.cannotOpenReason();
            if (cannotOpen != null && !handedOverCannotOpen && alive.stream()
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
        elector.resign(config.lease.leaseDuration());
    }

    /** Starts and stops the watchers as leadership comes and goes; stopping is synchronous (the lease rule). */
    private final class Leadership implements LeaderElector.Listener {
        @Override
        public void becameLeader(Lease lease) {
            LOG.info("mongocache: node {} leads the watcher (epoch {})", config.nodeId, lease.epoch());
            watching = lease;
            background.execute(() -> startWatching(lease));
            background.execute(Coordinator.this::heartbeat); // the registry shows the new leader at once
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
                background.execute(Coordinator.this::heartbeat);
            }
            config.listener.stoppedLeading(lease);
        }
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
                                && config.cache.invalidateShared(io.mongocache.spi.Invalidation.namespace(scope))) {
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

    /**
     * Leaves the deployment: steps down (watchers stop first) and releases the lease so another node takes over at
     * once, stops serving peers, and removes this node from the registry.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // no more heartbeats or watcher starts
        if (channel != null) {
            config.cache.readDelegate(null);
        }
        if (elector != null) {
            elector.close();
        }
        electorThread.shutdownNow();
        background.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.close();
        Delegation d = delegation;
        if (d != null) {
            d.close();
        }
        try {
            registry.remove();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: removing this node from the registry failed; it goes stale", e);
        }
    }

    /** Configures a {@link Coordinator}; {@link #start()} validates and starts it. */
    public static final class Builder {
        private @Nullable MongoClient client;
        private @Nullable MongoCache cache;
        private @Nullable WatchScope scope;
        private String stateDatabase = "mongocache";
        private String leaseName = "watcher";
        private LeaseSettings lease = LeaseSettings.DEFAULTS;
        private String nodeId = host() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private Duration collectionRefresh = Duration.ofSeconds(5);
        private int streamThreads = 2;
        private LongSupplier nanoClock = System::nanoTime;
        private LeaderElector.Listener listener = new LeaderElector.Listener() {
            @Override
            public void becameLeader(Lease lease) {}

            @Override
            public void stoppedLeading(Lease lease) {}
        };
        private @Nullable MongoPools pools;
        private List<String> delegated = List.of();
        private List<String> redisUris = List.of();
        private boolean redisCluster;
        private DelegationSettings delegation = DelegationSettings.DEFAULTS;
        private String keyPrefix = "mc";
        private Duration missDeadline = Duration.ofSeconds(2);
        private boolean requireChangeStreams = true;

        private Builder() {}

        private static String name(String parameter, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(parameter + " must be a non-blank name");
            }
            return value;
        }

        /** Lettuce's own parse finds something to connect to (it throws on what it cannot parse). */
        private static boolean lettuceAccepts(String uri) {
            RedisURI parsed = RedisURI.create(uri);
            return parsed.getHost() != null || parsed.getSocket() != null || !parsed.getSentinels().isEmpty();
        }

        /** The client for the lease, the state database and the change streams. Required. */
        public Builder client(MongoClient client) {
            if (client == null) {
                throw new IllegalArgumentException("client must not be null");
            }
            this.client = client;
            return this;
        }

        /** The cache the watcher invalidates. Required. */
        public Builder cache(MongoCache cache) {
            if (cache == null) {
                throw new IllegalArgumentException("cache must not be null");
            }
            this.cache = cache;
            return this;
        }

        /** What the leader watches for outside writes; without it this node only registers and delegates. */
        public Builder watch(WatchScope scope) {
            if (scope == null) {
                throw new IllegalArgumentException("scope must not be null");
            }
            this.scope = scope;
            return this;
        }

        /**
         * Where the lease, checkpoints and node registry live. Default {@code mongocache}.
         *
         * @throws IllegalArgumentException if {@code name} is not a valid database name
         */
        public Builder stateDatabase(String name) {
            this.stateDatabase = Checks.databaseName("stateDatabase", name);
            return this;
        }

        /** The lease's name; deployments sharing a state database need different names. Default {@code watcher}. */
        public Builder leaseName(String name) {
            this.leaseName = name("leaseName", name);
            return this;
        }

        /** Lease timing. Default 15 s / 10 s / 2 s. */
        public Builder lease(LeaseSettings settings) {
            if (settings == null) {
                throw new IllegalArgumentException("lease settings must not be null");
            }
            this.lease = settings;
            return this;
        }

        /** This node's id; unique per process. Default {@code host-pid-random}. */
        public Builder nodeId(String nodeId) {
            this.nodeId = name("nodeId", nodeId);
            return this;
        }

        /** How often this node updates its registry record; it counts as gone after 3 missed. Default 2 s. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Checks.positive("heartbeatInterval", interval);
            return this;
        }

        /** How often a database scope without database-level streams looks for new collections. Default 5 s. */
        public Builder collectionRefresh(Duration interval) {
            this.collectionRefresh = Checks.positive("collectionRefresh", interval);
            return this;
        }

        /**
         * Threads that run the per-collection streams of a database scope on a server without database-level
         * streams, however many collections it has (each stream polls in short steps; see the README's
         * "many collections" figures). Default 2.
         *
         * @throws IllegalArgumentException if {@code threads} is not between 1 and 64
         */
        public Builder streamThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("streamThreads must be between 1 and 64, was " + threads);
            }
            this.streamThreads = threads;
            return this;
        }

        /** The monotonic clock of the elector's local deadline (tests inject skewed clocks). */
        public Builder nanoClock(LongSupplier clock) {
            if (clock == null) {
                throw new IllegalArgumentException("nanoClock must not be null");
            }
            this.nanoClock = clock;
            return this;
        }

        /**
         * Told when this node starts leading (its watchers are being started) and after it stopped leading (its
         * watchers have stopped). A listener that throws is logged and ignored.
         */
        public Builder onLeadership(LeaderElector.Listener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null");
            }
            this.listener = listener;
            return this;
        }

        /** The pools whose saturation triggers delegation and that serve peers' reads. */
        public Builder pools(MongoPools pools) {
            if (pools == null) {
                throw new IllegalArgumentException("pools must not be null");
            }
            this.pools = pools;
            return this;
        }

        /** The databases whose reads may be delegated (and served for peers); needs pools and Redis. */
        public Builder delegate(String... databases) {
            if (databases == null || databases.length == 0) {
                throw new IllegalArgumentException("databases: at least one database is required");
            }
            List<String> list = new ArrayList<>();
            for (String db : databases) {
                list.add(Checks.databaseName("databases", db));
            }
            this.delegated = List.copyOf(list);
            return this;
        }

        /**
         * Redis (standalone) carrying delegated reads.
         *
         * @throws IllegalArgumentException if the URI is malformed (the message masks its password)
         */
        public Builder redis(String uri) {
            this.redisUris = List.of(Checks.redisUri("redis", uri, Builder::lettuceAccepts));
            this.redisCluster = false;
            return this;
        }

        /**
         * Redis Cluster carrying delegated reads, reached through these seed URIs (any nodes of the cluster).
         *
         * @throws IllegalArgumentException if there is no seed or one is malformed
         */
        public Builder redisCluster(String... seedUris) {
            this.redisUris = Checks.redisUris("redisCluster", seedUris, Builder::lettuceAccepts);
            this.redisCluster = true;
            return this;
        }

        /** Delegation timing and limits. */
        public Builder delegation(DelegationSettings settings) {
            if (settings == null) {
                throw new IllegalArgumentException("delegation settings must not be null");
            }
            this.delegation = settings;
            return this;
        }

        /**
         * How long a cache miss on a saturated pool waits for peers before it runs here after all (waiting for a
         * connection). Default 2 s.
         */
        public Builder missDeadline(Duration deadline) {
            this.missDeadline = Checks.positive("missDeadline", deadline);
            return this;
        }

        /**
         * Whether {@link #start()} refuses a deployment where a change stream cannot open — a standalone
         * {@code mongod}, a user without the {@code changeStream} privilege, a server without the stage. Default
         * {@code true}: with a {@link #watch watch scope}, {@code start()} opens (and closes) one stream on the
         * scope's first collection or database, for at most 5 s, and fails if the server refuses it. With
         * {@code false} the node starts anyway: writes by other programs are then not invalidated (they stay cached
         * up to their TTL), which the leader says once at WARN and shows in {@link Coordinator#status()} (
         * {@code cannotOpen}, {@code cannotOpenReason}) and {@link Coordinator#health()}, retrying every 1 s doubling
         * to 30 s in case the deployment changes.
         */
        public Builder requireChangeStreams(boolean require) {
            this.requireChangeStreams = require;
            return this;
        }

        /** Prefix of the delegation channels; use the cache's key prefix. Default {@code mc}. */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = name("keyPrefix", prefix);
            return this;
        }

        /**
         * Validates and starts: registers the node, starts competing for the lease (with a scope) and serving
         * peers (with delegation).
         *
         * @throws IllegalStateException naming what is missing: client, cache, or for delegation pools and Redis;
         *     or, with a watch scope, if a change stream cannot open on this deployment (with the server's reason)
         *     and {@link #requireChangeStreams(boolean)} is not {@code false}
         */
        public Coordinator start() {
            if (client == null) {
                throw new IllegalStateException("client(MongoClient) is required");
            }
            if (cache == null) {
                throw new IllegalStateException("cache(MongoCache) is required");
            }
            if (!delegated.isEmpty() && (pools == null || redisUris.isEmpty())) {
                throw new IllegalStateException("delegate(" + delegated + ") needs pools(MongoPools), to know when "
                        + "a database is saturated, and redis(uri) or redisCluster(uri), to reach peers");
            }
            if (scope != null && scope.databaseNames().isEmpty() && scope.namespaces().stream()
                    .allMatch(ns -> ChangeStreamWatcher.isStateCollection(stateDatabase, ns))) {
                throw new IllegalStateException("watch(" + scope + "): every collection in it is one of mongocache's "
                        + "own state collections in stateDatabase '" + stateDatabase + "' "
                        + ChangeStreamWatcher.STATE_COLLECTIONS + ", which the watcher never acts on");
            }
            if (scope != null && requireChangeStreams) {
                String refused = changeStreamRefusal(client, scope, stateDatabase);
                if (refused != null) {
                    throw new IllegalStateException("watch(" + scope + "): a change stream cannot open on this "
                            + "deployment (the server said " + refused + "). Change streams need a replica set or a "
                            + "sharded cluster (a standalone mongod has none) and the changeStream privilege; without "
                            + "them writes by other programs stay cached up to their TTL. To start anyway, set "
                            + "Coordinator.Builder.requireChangeStreams(false)");
                }
            }
            // Frozen here: setters called on this builder later do not reach the running coordinator.
            return new Coordinator(new Settings(this)).begin();
        }
    }

    /**
     * Opens and closes the stream the leader would open first (the scope's first collection, else its first
     * database), bounded by 5 s: the server's reason if it cannot open one ({@link ChangeStreamErrors}), null if it
     * opened or the outcome says nothing about it (a timeout, an unreachable server: the watcher finds out later).
     * It asks the deployment, not its topology, since a server without {@code setName} may still have streams (the
     * in-process test server with its oplog), and what counts is the stream itself.
     */
    private static @Nullable String changeStreamRefusal(MongoClient client, WatchScope scope, String stateDatabase) {
        MongoNamespace first = scope.namespaces().stream()
                .filter(ns -> !ChangeStreamWatcher.isStateCollection(stateDatabase, ns)).findFirst().orElse(null);
        MongoDatabase db = client.getDatabase(first != null ? first.getDatabaseName() : scope.databaseNames().get(0))
                .withTimeout(5, TimeUnit.SECONDS);
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor =
                (first != null ? db.getCollection(first.getCollectionName()).watch() : db.watch()).cursor()) {
            return null;
        } catch (com.mongodb.MongoException e) {
            if (ChangeStreamErrors.classify(e) == ChangeStreamErrors.Kind.CANNOT_OPEN) {
                return ChangeStreamErrors.reason(e);
            }
            LOG.warn("mongocache: could not check whether change streams open ({}); starting, the watcher will "
                    + "tell", e.toString());
            return null;
        }
    }

    /** A builder's values as {@link Builder#start()} saw them; immutable. */
    private static final class Settings {
        final MongoClient client;
        final MongoCache cache;
        final @Nullable WatchScope scope;
        final String stateDatabase;
        final String leaseName;
        final LeaseSettings lease;
        final String nodeId;
        final Duration heartbeatInterval;
        final Duration collectionRefresh;
        final int streamThreads;
        final LongSupplier nanoClock;
        final LeaderElector.Listener listener;
        final @Nullable MongoPools pools;
        final List<String> delegated;
        final List<String> redisUris;
        final boolean redisCluster;
        final DelegationSettings delegation;
        final String keyPrefix;
        final Duration missDeadline;

        Settings(Builder b) {
            this.client = java.util.Objects.requireNonNull(b.client);
            this.cache = java.util.Objects.requireNonNull(b.cache);
            this.scope = b.scope;
            this.stateDatabase = b.stateDatabase;
            this.leaseName = b.leaseName;
            this.lease = b.lease;
            this.nodeId = b.nodeId;
            this.heartbeatInterval = b.heartbeatInterval;
            this.collectionRefresh = b.collectionRefresh;
            this.streamThreads = b.streamThreads;
            this.nanoClock = b.nanoClock;
            this.listener = b.listener;
            this.pools = b.pools;
            this.delegated = List.copyOf(b.delegated);
            this.redisUris = List.copyOf(b.redisUris);
            this.redisCluster = b.redisCluster;
            this.delegation = b.delegation;
            this.keyPrefix = b.keyPrefix;
            this.missDeadline = b.missDeadline;
        }
    }
}

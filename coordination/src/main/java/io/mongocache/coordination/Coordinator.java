package io.mongocache.coordination;

import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.MongoCacheConfigurationException;
import io.mongocache.MongoCache;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.pooling.MongoPools;
import io.mongocache.spi.CacheHooks;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

/**
 * One node's part in a deployment: it registers in the node registry, competes for the watcher lease, and while
 * it leads runs the change-stream watchers of the configured scope; it serves and sends delegated reads.
 *
 * <pre>{@code
 * Coordinator coordinator = Coordinator.builder()
 *         .client(mongoClient).cache(cache)
 *         .watch(WatchScope.databases("shop"))
 *         .pools(pools).delegate("shop")      // over the cache's Redis
 *         .start();
 * List<Document> open = coordinator.read(ReadRequest.find("shop", "orders", eq("state", "open")),
 *         Duration.ofSeconds(2));   // runs here, or on a peer when this node's "shop" pool is saturated
 * }</pre>
 *
 * <p>A facade over its parts: {@link NodeHeartbeats} (this node's registry record and the live peers),
 * {@link LeaderElector} with {@link WatcherSupervisor} (the lease, and the watchers run while it is held) and
 * {@link ReadRouting} (delegated reads, sent and served over {@link Delegation}). It builds them from frozen
 * {@link Settings}, starts them in order (delegation, first heartbeat, elector) and closes them in reverse.
 *
 * <p>State lives in the state database (default {@code mongocache}): {@code leases}, {@code checkpoints} and
 * {@code nodes}. Background work runs on two daemon threads: the elector's, and one for heartbeats, the
 * collection refresh, starting watchers and reconnecting delegation.
 *
 * <p>Its size is the {@link Builder}: each setting validated where it is set, and {@code start()} checking the whole
 * (what is missing, a scope made only of state collections, a deployment without change streams) before anything
 * runs. The coordinator itself is the facade.
 */
@ThreadSafe
public final class Coordinator implements AutoCloseable {

    private final Settings config;
    private final NodeRegistry registry;
    private final ScheduledExecutorService electorThread;
    /** Heartbeats, watcher starts, the collection refresh, delegation reconnects. */
    private final ScheduledExecutorService background;
    private final NodeHeartbeats heartbeats;
    private final WatcherSupervisor supervisor;
    private final @Nullable LeaderElector elector;
    private final @Nullable ReadRouting routing;
    private volatile boolean closed;

    private Coordinator(Settings b) {
        this.config = b;
        MongoDatabase state = b.client.getDatabase(b.stateDatabase);
        CacheHooks.SharedRedis redis = b.redis;
        String channel = b.delegated.isEmpty() || redis == null ? null : redis.keyPrefix() + ":dlg:" + b.nodeId;
        this.registry = new NodeRegistry(state.getCollection("nodes"), b.leaseName,
                new NodeRegistry.NodeInfo(b.nodeId, host(), ProcessHandle.current().pid(), Instant.now(), channel),
                b.heartbeatInterval.multipliedBy(3));
        this.electorThread = Executors.newSingleThreadScheduledExecutor(
                DaemonThreadFactory.numbered("mongocache-elector-"));
        this.background = Executors.newSingleThreadScheduledExecutor(
                DaemonThreadFactory.numbered("mongocache-coordinator-"));
        this.heartbeats = new NodeHeartbeats(registry, b, this::lease);
        this.supervisor = new WatcherSupervisor(b, state, background, heartbeats::alive, heartbeats::beat);
        // A lease call that cannot finish within the renew deadline is a lost renewal anyway: bound it (the
        // driver's client-side operation timeout), so a hung server cannot keep a leader leading past its lease.
        MongoCollection<Document> leases = state.getCollection("leases")
                .withTimeout(b.lease.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
        this.elector = b.scope == null ? null : new LeaderElector(new LeaseStore(leases), b.leaseName, b.nodeId,
                b.lease, electorThread, b.nanoClock, supervisor);
        if (elector != null) {
            supervisor.attach(elector);
        }
        this.routing = channel == null ? null : new ReadRouting(b, channel, background, heartbeats::alive);
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
        ReadRouting r = routing;
        if (r != null) {
            r.connect();
            config.hooks.readDelegate(r);
        }
        heartbeats.beat();
        background.scheduleWithFixedDelay(heartbeats::beat, config.heartbeatInterval.toNanos(),
                config.heartbeatInterval.toNanos(), TimeUnit.NANOSECONDS);
        if (elector != null) {
            elector.start();
            long every = config.lease.retryPeriod().toNanos();
            background.scheduleWithFixedDelay(supervisor::handOverIfWatcherFails, every, every, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** This node's id in the registry and on the lease. */
    public String nodeId() {
        return config.nodeId;
    }

    /** Whether this node holds the watcher lease (within its local deadline). */
    public boolean isLeader() {
        return supervisor.isLeader();
    }

    /** The lease held, if leading. */
    public Optional<Lease> lease() {
        return supervisor.lease();
    }

    /** The registry of nodes (operators can also read the {@code nodes} collection of the state database). */
    public NodeRegistry registry() {
        return registry;
    }

    /** Live nodes as of the last heartbeat, this one included. */
    public List<NodeRegistry.Peer> peers() {
        return heartbeats.alive();
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
        return supervisor.status();
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
        List<String> problems = supervisor.problems();
        return new Health(problems.isEmpty(), List.copyOf(problems));
    }

    /** Delegation counters; empty without delegation. */
    public Optional<Delegation.Stats> delegationStats() {
        return delegation().map(Delegation::stats);
    }

    /**
     * Runs an idempotent read on this node — or, when this node's pool for the database is saturated, on a peer
     * that advertises free capacity for it.
     *
     * @throws NoPeerAvailableException if the pool is saturated and no peer could serve within {@code deadline}
     * @throws DelegationException if delegation is not configured for {@code request}'s database
     */
    public List<Document> read(ReadRequest request, Duration deadline) {
        Checks.positive("deadline", deadline);
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        ReadRouting r = routing;
        if (r == null) {
            throw new DelegationException("read: database '" + request.database()
                    + "' is not open to delegation (Coordinator.Builder.delegate(...): " + config.delegated + ")");
        }
        return r.read(request, deadline);
    }

    /**
     * The delegation endpoint itself (to delegate regardless of this node's pool); empty without delegation or
     * while its Redis connection is not up.
     */
    public Optional<Delegation> delegation() {
        ReadRouting r = routing;
        return r == null ? Optional.empty() : r.delegation();
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
        closed = true;
        supervisor.stopping(); // no more watcher starts; the last term ends without re-announcing
        if (routing != null) {
            config.hooks.readDelegate(null);
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
        supervisor.close();
        if (routing != null) {
            routing.close();
        }
        heartbeats.stop();
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
        private DelegationSettings delegation = DelegationSettings.DEFAULTS;
        private Duration missDeadline = Duration.ofSeconds(2);
        private boolean requireChangeStreams = true;

        private Builder() {}

        private static String name(String parameter, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(parameter + " must be a non-blank name");
            }
            return value;
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
         * scope's first collection or database, within the 5 s it shares with the state database's ping (not at all
         * when the ping found no server), and fails if the server refuses it. With
         * {@code false} the node starts anyway: writes by other programs are then not invalidated (they stay cached
         * up to their TTL), which the leader says once at WARN and shows in {@link Coordinator#status()} (
         * {@code cannotOpen}, {@code cannotOpenReason}) and {@link Coordinator#health()}, retrying every 1 s doubling
         * to 30 s in case the deployment changes.
         */
        public Builder requireChangeStreams(boolean require) {
            this.requireChangeStreams = require;
            return this;
        }

        /**
         * Validates and starts: registers the node, starts competing for the lease (with a scope) and serving
         * peers (with delegation).
         *
         * @throws MongoCacheConfigurationException naming what is missing: client, cache, or for delegation pools and Redis;
         *     or, with a watch scope, if a change stream cannot open on this deployment (with the server's reason)
         *     and {@link #requireChangeStreams(boolean)} is not {@code false}
         */
        public Coordinator start() {
            if (client == null) {
                throw new MongoCacheConfigurationException("client(MongoClient) is required");
            }
            if (cache == null) {
                throw new MongoCacheConfigurationException("cache(MongoCache) is required");
            }
            if (!delegated.isEmpty() && (pools == null || CacheHooks.of(cache).sharedRedis().isEmpty())) {
                throw new MongoCacheConfigurationException("delegate(" + delegated + ") needs pools(MongoPools), to know when "
                        + "a database is saturated, and a cache built with redis(uri) or redisCluster(uri), whose "
                        + "Redis carries the reads to peers");
            }
            if (scope != null && scope.databaseNames().isEmpty() && scope.namespaces().stream()
                    .allMatch(ns -> ChangeStreamWatcher.isStateCollection(stateDatabase, ns))) {
                throw new MongoCacheConfigurationException("watch(" + scope + "): every collection in it is one of mongocache's "
                        + "own state collections in stateDatabase '" + stateDatabase + "' "
                        + ChangeStreamWatcher.STATE_COLLECTIONS + ", which the watcher never acts on");
            }
            MongoCacheConfigurationException refused = StartupProbe.refusal(StartupProbe.of(client, stateDatabase,
                    scope), stateDatabase, scope, requireChangeStreams, System::nanoTime);
            if (refused != null) {
                throw refused;
            }
            // Frozen here: setters called on this builder later do not reach the running coordinator.
            return new Coordinator(new Settings(this)).begin();
        }
    }

    /** A builder's values as {@link Builder#start()} saw them; immutable. */
    static final class Settings {
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
        final CacheHooks hooks;
        final CacheHooks.@Nullable SharedRedis redis;
        final DelegationSettings delegation;
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
            this.hooks = CacheHooks.of(b.cache);
            this.redis = hooks.sharedRedis().orElse(null);
            this.delegation = b.delegation;
            this.missDeadline = b.missDeadline;
        }
    }
}

package io.mongocache.pooling;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.connection.ConnectionPoolSettings;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.common.Masking;
import io.mongocache.pooling.bulk.BulkTasks;
import io.mongocache.pooling.internal.DriverEvents;
import io.mongocache.pooling.internal.Pool;
import io.mongocache.pooling.internal.ReopeningProxies;
import io.mongocache.pooling.internal.TransactionRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many databases through one handle. {@link #database(String)} routes a name to its separate pool if one is
 * configured (its own {@code MongoClient}, its own limits), else to the shared primary pool.
 *
 * <pre>{@code
 * MongoPools pools = MongoPools.builder()
 *     .primary("mongodb://app:secret@db1:27017")
 *     .clientSettings(MongoClientSettings.builder().codecRegistry(pojoCodecs).build())  // every pool starts from it
 *     .database("reports", PoolOptions.builder().maxConnections(5).autoClose(Duration.ofMinutes(5)).build())
 *     .maxOpenPools(50)
 *     .build();
 * MongoDatabase tenant = pools.database("tenant_42");              // the shared primary pool
 * pools.pools().configure(List.of("big_tenant"), PoolOptions.builder().maxConnections(20).build());
 * pools.bulk().copyDatabase("tenant_42", "tenant_42_backup");     // bulk tasks over this routing
 * }</pre>
 *
 * <p>Separate pools open on first use (cold start) or at once, close themselves after their idle TTL (never while
 * busy: with a command in flight, an open cursor or change stream, or an open session started on their client; the
 * next use reopens them), and count against {@code maxOpenPools}: opening one more closes the least recently used
 * pool that is not busy. Statistics come from the driver's connection-pool and command events.
 *
 * <p>Client settings: every client — the primary's and each separate pool's — starts from the base
 * {@code MongoClientSettings} ({@link Builder#clientSettings}, or {@link Builder#primary(MongoClientSettings)}),
 * so codec registries, listeners, TLS, compressors, credentials and the like reach every pool. A connection string
 * applies on top ({@link Builder#primary(String)}, a pool's {@link PoolOptions.Builder#uri}), then a pool's own
 * {@link PoolOptions.Builder#clientSettings changes}, then its limits; the listeners that feed statistics and
 * open-cursor tracking are added after the user's, never instead of them.
 *
 * <p>Concurrency: thread-safe. A scheduler thread checks idle pools and samples statistics. Replacing a pool's
 * configuration and handing out its client are atomic with respect to each other: the replacement is in the map
 * before the old pool is retired, and a retired pool hands out nothing, so a lookup that raced the replacement
 * looks again and gets the replacement; handles from {@link #database(String)} resolve the name on every call. The
 * retired pool is closed as soon as it is not busy (at once, or by the scheduler). Failure modes: a throwing hook
 * is logged and ignored; {@link #close()} waits for in-flight commands up to its timeout, then closes every client
 * (retired ones too); after close every call throws {@link MongoPoolsClosedException}.
 */
@ThreadSafe
public final class MongoPools implements AutoCloseable {
    /** The name the shared primary pool goes by in statistics, hooks and health reports. */
    public static final String PRIMARY = "(primary)";

    private static final Logger LOG = LoggerFactory.getLogger(MongoPools.class);

    private final MongoClientSettings baseSettings;
    private final @Nullable String primaryUri;
    private final MongoClient primary;
    private final DriverEvents primaryEvents;
    private final boolean coldStart;
    private final int maxOpenPools;
    private final @Nullable Duration slowCommandThreshold;
    private final Duration closeTimeout;
    private final int historySize;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, MongoDatabase> handles = new ConcurrentHashMap<>();
    /** Pools whose configuration was replaced, until they close (once not busy). */
    private final Set<Pool> retiring = ConcurrentHashMap.newKeySet();
    /** Orders replacing a pool against {@link #close()}, so no pool is registered after close has taken stock. */
    private final Object lifecycle = new Object();
    private final List<Hook> connectHooks = new CopyOnWriteArrayList<>();
    private final List<Hook> disconnectHooks = new CopyOnWriteArrayList<>();
    private final Map<String, Set<MongoChangeStreamCursor<?>>> changeStreams = new ConcurrentHashMap<>();
    private final Deque<PoolsStats.Sample> history = new ArrayDeque<>();
    private final ScheduledExecutorService scheduler;
    private final @Nullable Thread shutdownHook;
    private final Control control = new Control();
    private final BulkTasks bulk = new BulkTasks(this::database, this::changed, BulkTasks.MissingSource.REJECT);
    private final List<Consumer<String>> changeHooks = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /**
     * Runs between finding a name's pool and handing out its client, where a concurrent replacement races; tests
     * replace the pool here to drive that race deterministically.
     */
    volatile Runnable afterPoolLookup = () -> { };

    private record Hook(@Nullable String database, Consumer<PoolEvent> callback) {}

    private MongoPools(Builder b) {
        this.baseSettings = b.clientSettings != null ? b.clientSettings : MongoClientSettings.builder().build();
        this.primaryUri = b.primaryUri;
        this.coldStart = b.coldStart;
        this.maxOpenPools = b.maxOpenPools;
        this.slowCommandThreshold = b.slowCommandThreshold;
        this.closeTimeout = b.closeTimeout;
        this.historySize = b.historySize;
        this.connectHooks.addAll(b.connectHooks);
        this.disconnectHooks.addAll(b.disconnectHooks);
        this.changeHooks.addAll(b.changeHooks);
        // Every separate pool's settings are made (and the user's changes checked) before anything opens.
        Map<String, Pool> configured = new LinkedHashMap<>();
        for (Map.Entry<String, PoolOptions> e : b.databases.entrySet()) {
            configured.put(e.getKey(), newPool(e.getKey(), e.getValue()));
        }
        this.primaryEvents = new DriverEvents(PRIMARY, slowCommandThreshold);
        MongoClientSettings.Builder settings = withConnectionString(primaryUri);
        if (b.primaryMaxConnections > 0) {
            settings.applyToConnectionPoolSettings(pool -> pool.maxSize(b.primaryMaxConnections));
        }
        this.primary = MongoClients.create(DriverEvents.addedTo(settings, primaryEvents).build());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreadFactory.named("mongocache-pools"));
        fire(connectHooks, new PoolEvent(PRIMARY, PoolEvent.Reason.EAGER));
        configured.forEach((name, pool) -> register(name, pool, b.databases.get(name), false));
        scheduler.scheduleWithFixedDelay(() -> closeIdlePools(System.currentTimeMillis()), 100, 100,
                TimeUnit.MILLISECONDS);
        long sampleMillis = b.historyInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::sample, sampleMillis, sampleMillis, TimeUnit.MILLISECONDS);
        if (b.shutdownHook) {
            Thread hook = new Thread(this::close, "mongocache-pools-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            this.shutdownHook = hook;
        } else {
            this.shutdownHook = null;
        }
    }

    /**
     * Starts a builder; a primary is required: {@link Builder#primary(String)} or
     * {@link Builder#primary(MongoClientSettings)}.
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- routing -------------------------------------------------------------------------------------------

    /**
     * The database {@code name} on its pool: its separate pool if one is configured, else the primary's.
     *
     * @throws IllegalArgumentException if the name is not a valid database name
     * @throws MongoPoolsClosedException after close
     */
    public MongoDatabase database(String name) {
        checkOpen();
        Checks.databaseName("name", name);
        if (!pools.containsKey(name)) {
            primaryEvents.touch();
            return primary.getDatabase(name);
        }
        return handles.computeIfAbsent(name, n -> ReopeningProxies.database(() -> clientOf(n).getDatabase(n)));
    }

    /**
     * The client serving {@code name}, opening its separate pool if needed. A pool replaced between the lookup and
     * the hand-out hands out nothing (it was retired after its replacement went into the map), so the loop looks
     * again and finds the replacement.
     */
    private MongoClient clientOf(String name) {
        while (true) {
            checkOpen();
            Pool pool = pools.get(name);
            if (pool == null) {
                primaryEvents.touch();
                return primary;
            }
            afterPoolLookup.run();
            MongoClient client = pool.client(opened -> opened(opened, PoolEvent.Reason.FIRST_USE));
            if (client != null) {
                return client;
            }
        }
    }

    /** The shared primary client. */
    public MongoClient primaryClient() {
        checkOpen();
        return primary;
    }

    /**
     * The client serving {@code database}, opening its separate pool if needed. Sessions started on a separate
     * pool's client keep that pool from auto-closing until they close. The client closes with its pool (idle TTL,
     * eviction, replacement, disconnect): for a handle that survives that, use {@link #database(String)}.
     *
     * @throws IllegalArgumentException if the name is not a valid database name
     * @throws MongoPoolsClosedException after close
     */
    public MongoClient clientFor(String database) {
        checkOpen();
        Checks.databaseName("database", database);
        return clientOf(database);
    }

    /** Run-time pool management. */
    public Control pools() {
        checkOpen();
        return control;
    }

    /** Run-time management of separate pools. */
    public final class Control {
        private Control() {}

        /**
         * Gives each database a separate pool with these options, opened on first use (or at once if the options
         * say {@code coldStart(false)}). Replaces an existing configuration: from the return on, the name is served
         * by the new pool only; the old pool closes as soon as it is not busy (its in-flight commands, cursors and
         * sessions finish on it).
         *
         * @throws IllegalArgumentException on an invalid name or null options, or if the options' client settings
         *     changes throw or set a pool size other than their {@code maxConnections}/{@code minConnections}
         */
        public void configure(Collection<String> names, PoolOptions options) {
            checkOpen();
            for (String name : names) {
                Checks.databaseName("name", name);
                register(name, newPool(name, options), options, false);
            }
        }

        /** Like {@link #configure} but opens the pools now. */
        public void connect(Collection<String> names, PoolOptions options) {
            checkOpen();
            for (String name : names) {
                Checks.databaseName("name", name);
                register(name, newPool(name, options), options, true);
            }
        }

        /**
         * Closes a separate pool now (in-flight commands fail); it reopens on next use.
         *
         * @throws IllegalArgumentException if {@code name} has no separate pool
         */
        public void disconnect(String name) {
            Pool pool = pools.get(name);
            if (pool == null) {
                throw new IllegalArgumentException("name: database '" + name + "' has no separate pool (separate: "
                        + pools.keySet() + ")");
            }
            if (pool != null && pool.isOpen()) {
                pool.closeNow();
                fire(disconnectHooks, new PoolEvent(name, PoolEvent.Reason.CLOSED));
            }
        }

        /** Whether the pool serving {@code database} has every connection in use or a waiting thread. */
        public boolean isSaturated(String database) {
            Usage u = usage(database);
            return u.waiting() > 0 || (u.max() > 0 && u.inUse() >= u.max());
        }

        /**
         * How many more commands the pool serving {@code database} can run at once without waiting: its limit minus
         * the connections in use, 0 when saturated. What a node advertises to peers for delegation.
         */
        public int freeConnections(String database) {
            Usage u = usage(database);
            return u.waiting() > 0 ? 0 : Math.max(0, u.max() - u.inUse());
        }

        /** The databases with a separate pool. */
        public Set<String> separate() {
            return Set.copyOf(pools.keySet());
        }

        /** How many separate pools are open. */
        public int open() {
            return (int) pools.values().stream().filter(Pool::isOpen).count();
        }
    }

    /** The pool serving a database, as counted from the driver's events: waiting threads, in use, its limit. */
    private record Usage(int waiting, int inUse, int max) {}

    private Usage usage(String database) {
        Pool pool = pools.get(database);
        DriverEvents e = pool == null ? primaryEvents : pool.events();
        return new Usage(e.waiting(), e.inUse(), pool == null ? e.maxSize() : pool.maxConnections());
    }

    /** The base settings with a connection string (if any) applied on top. */
    private MongoClientSettings.Builder withConnectionString(@Nullable String uri) {
        MongoClientSettings.Builder settings = MongoClientSettings.builder(baseSettings);
        if (uri != null) {
            settings.applyConnectionString(new ConnectionString(uri));
        }
        return settings;
    }

    /**
     * A separate pool for {@code name}, not open yet: the base settings, its own connection string or else the
     * primary's, then its own changes, which must leave the pool's size to its options.
     */
    private Pool newPool(String name, PoolOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        MongoClientSettings.Builder builder = withConnectionString(options.uri() != null ? options.uri() : primaryUri);
        Consumer<MongoClientSettings.Builder> changes = options.clientSettings();
        MongoClientSettings settings;
        if (changes == null) {
            settings = builder.build();
        } else {
            ConnectionPoolSettings before = builder.build().getConnectionPoolSettings();
            try {
                changes.accept(builder);
                settings = builder.build();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("clientSettings of database '" + name + "' failed: "
                        + e.getClass().getSimpleName() + ": " + Masking.inText(String.valueOf(e.getMessage())), e);
            }
            ConnectionPoolSettings after = settings.getConnectionPoolSettings();
            requireSizeFromOptions(name, "maxSize", before.getMaxSize(), after.getMaxSize(), "maxConnections",
                    options.maxConnections());
            requireSizeFromOptions(name, "minSize", before.getMinSize(), after.getMinSize(), "minConnections",
                    options.minConnections());
        }
        return new Pool(name, settings, target(settings), options.maxConnections(), options.minConnections(),
                options.autoClose() ? options.idleTtl() : null, slowCommandThreshold, MongoClients::create);
    }

    /** A pool size set in a pool's client settings changes would be overridden by its options: refuse it. */
    private static void requireSizeFromOptions(String database, String setting, int before, int after,
            String option, int fromOptions) {
        if (after != before && after != fromOptions) {
            throw new IllegalArgumentException("clientSettings of database '" + database + "' sets the pool's "
                    + setting + " to " + after + ", but PoolOptions." + option + " (" + fromOptions
                    + ") decides it: use PoolOptions.builder()." + option + "(" + after + ")");
        }
    }

    /** Where a client connects, for log lines: hosts or the SRV host, never credentials. */
    private static String target(MongoClientSettings settings) {
        String srvHost = settings.getClusterSettings().getSrvHost();
        return srvHost != null ? "mongodb+srv://" + srvHost : settings.getClusterSettings().getHosts().toString();
    }

    private void register(String name, Pool pool, PoolOptions options, boolean eager) {
        Pool previous;
        synchronized (lifecycle) {
            checkOpen();
            previous = pools.put(name, pool);
            if (previous != null) {
                previous.retire();
                retiring.add(previous);
            }
        }
        if (previous != null) {
            closeIfRetiredAndQuiet(previous, System.currentTimeMillis());
        }
        boolean cold = options.coldStart() != null ? options.coldStart() : coldStart;
        if (eager || !cold) {
            pool.client(opened -> opened(opened, PoolEvent.Reason.EAGER));
        }
    }

    private void opened(Pool pool, PoolEvent.Reason reason) {
        LOG.debug("mongocache: pool {} opened ({}) to {}", pool.name(), reason, pool.target());
        fire(connectHooks, new PoolEvent(pool.name(), reason));
        enforceCap(pool);
    }

    /** Closes least recently used idle pools while more than {@code maxOpenPools} are open. */
    private void enforceCap(Pool justOpened) {
        List<Pool> open = new ArrayList<>(pools.values().stream().filter(Pool::isOpen).toList());
        int excess = open.size() - maxOpenPools;
        if (excess <= 0) {
            return;
        }
        open.remove(justOpened);
        open.sort(Comparator.comparingLong(p -> p.events().lastUsedMillis()));
        for (Pool candidate : open) {
            if (excess <= 0) {
                break;
            }
            if (candidate.closeIfQuiet(System.currentTimeMillis())) {
                excess--;
                fire(disconnectHooks, new PoolEvent(candidate.name(), PoolEvent.Reason.EVICTED));
            }
        }
        if (excess > 0) {
            LOG.warn("mongocache: {} pools open, above maxOpenPools {}: the others are busy (commands in flight, "
                    + "open cursors or sessions)", maxOpenPools + excess, maxOpenPools);
        }
    }

    /**
     * One sweep as if the clock read {@code now}: closes idle pools and retired ones that are no longer busy. The
     * scheduler runs it every 100 ms.
     */
    void closeIdlePools(long now) {
        for (Pool pool : pools.values()) {
            try {
                if (pool.closeIfIdle(now)) {
                    fire(disconnectHooks, new PoolEvent(pool.name(), PoolEvent.Reason.IDLE));
                }
            } catch (RuntimeException e) {
                LOG.warn("mongocache: closing idle pool {} failed", pool.name(), e);
            }
        }
        for (Pool pool : retiring) {
            try {
                closeIfRetiredAndQuiet(pool, now);
            } catch (RuntimeException e) {
                LOG.warn("mongocache: closing replaced pool {} failed", pool.name(), e);
            }
        }
    }

    /** Closes a replaced pool that is not busy, or forgets one that is closed already. */
    private void closeIfRetiredAndQuiet(Pool pool, long now) {
        if (pool.closeIfQuiet(now)) {
            retiring.remove(pool);
            fire(disconnectHooks, new PoolEvent(pool.name(), PoolEvent.Reason.CLOSED));
        } else if (!pool.isOpen()) {
            retiring.remove(pool); // retired pools never reopen
        }
    }

    private void fire(List<Hook> hooks, PoolEvent event) {
        for (Hook hook : hooks) {
            if (hook.database() == null || hook.database().equals(event.database())) {
                try {
                    hook.callback().accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("mongocache: a pool hook for {} threw; ignored", event, e);
                }
            }
        }
    }

    /**
     * Adds a hook called with the name of every database a bulk task changed (dropped, copied into, imported
     * into) — e.g. {@code cache::invalidateDatabase}, since those writes bypass the cache.
     */
    public void onDatabaseChanged(Consumer<String> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("onDatabaseChanged: the hook must not be null");
        }
        changeHooks.add(hook);
    }

    /** Adds a hook called when any pool opens. */
    public void onConnect(Consumer<PoolEvent> callback) {
        connectHooks.add(new Hook(null, requireCallback(callback)));
    }

    /** Adds a hook called when the named database's pool opens. */
    public void onConnect(String database, Consumer<PoolEvent> callback) {
        connectHooks.add(new Hook(database, requireCallback(callback)));
    }

    /** Adds a hook called when any pool closes. */
    public void onDisconnect(Consumer<PoolEvent> callback) {
        disconnectHooks.add(new Hook(null, requireCallback(callback)));
    }

    /** Adds a hook called when the named database's pool closes. */
    public void onDisconnect(String database, Consumer<PoolEvent> callback) {
        disconnectHooks.add(new Hook(database, requireCallback(callback)));
    }

    private static Consumer<PoolEvent> requireCallback(Consumer<PoolEvent> callback) {
        if (callback == null) {
            throw new IllegalArgumentException("callback must not be null");
        }
        return callback;
    }

    // ---- observability -----------------------------------------------------------------------------------

    /** Every pool's statistics, totals and the recent history. */
    public PoolsStats stats() {
        long now = System.currentTimeMillis();
        List<PoolStats> list = new ArrayList<>();
        list.add(stats(PRIMARY, true, primaryEvents, 0, primaryEvents.maxSize(), primaryEvents.minSize(),
                List.of("*"), now));
        for (Pool pool : pools.values()) {
            list.add(stats(pool.name(), pool.isOpen(), pool.events(), pool.openSessions(), pool.maxConnections(),
                    pool.minConnections(), List.of(pool.name()), now));
        }
        int open = 1 + (int) pools.values().stream().filter(Pool::isOpen).count();
        int connections = list.stream().mapToInt(PoolStats::connections).sum();
        int inUse = list.stream().mapToInt(PoolStats::inUse).sum();
        List<PoolsStats.Sample> samples;
        synchronized (history) {
            samples = List.copyOf(history);
        }
        return new PoolsStats(list, open, connections, inUse, samples);
    }

    private static PoolStats stats(String name, boolean open, DriverEvents e, int sessions, int max, int min,
            List<String> dbs, long now) {
        int connections = open ? Math.max(0, e.connections()) : 0;
        int inUse = open ? Math.max(0, e.inUse()) : 0;
        int waiting = open ? Math.max(0, e.waiting()) : 0;
        return new PoolStats(name, open ? "OPEN" : "CLOSED", connections, inUse, Math.max(0, connections - inUse),
                waiting, open ? Math.max(0, e.inFlight()) : 0, open ? e.openCursors(now) : 0, sessions, max, min,
                waiting > 0 || (max > 0 && inUse >= max), dbs, Instant.ofEpochMilli(e.lastUsedMillis()).toString());
    }

    private void sample() {
        PoolsStats now = stats();
        int waiting = now.pools().stream().mapToInt(PoolStats::waitQueue).sum();
        synchronized (history) {
            history.addLast(new PoolsStats.Sample(Instant.now().toString(), now.openPools(), now.connections(),
                    now.inUse(), waiting));
            while (history.size() > historySize) {
                history.removeFirst();
            }
        }
    }

    /** Size and collections (with estimated counts and sizes) of one database. */
    public DatabaseStats stats(String database) {
        MongoDatabase db = database(database);
        long dataSize = -1;
        try {
            Document dbStats = db.runCommand(new Document("dbStats", 1));
            Number size = dbStats.get("dataSize", Number.class);
            dataSize = size == null ? -1 : size.longValue();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: dbStats unavailable for {}", database, e);
        }
        List<DatabaseStats.CollectionStats> collections = new ArrayList<>();
        for (String name : db.listCollectionNames()) {
            long count = db.getCollection(name).estimatedDocumentCount();
            long size = -1;
            try {
                Number s = db.runCommand(new Document("collStats", name)).get("size", Number.class);
                size = s == null ? -1 : s.longValue();
            } catch (RuntimeException e) {
                LOG.debug("mongocache: collStats unavailable for {}.{}", database, name, e);
            }
            collections.add(new DatabaseStats.CollectionStats(name, count, size));
        }
        collections.sort(Comparator.comparing(DatabaseStats.CollectionStats::name));
        return new DatabaseStats(database, dataSize, collections);
    }

    /** The databases of the primary server with their sizes on disk. */
    public List<DatabaseStats> listDatabases() {
        checkOpen();
        List<DatabaseStats> out = new ArrayList<>();
        for (Document d : primary.listDatabases()) {
            Number size = d.get("sizeOnDisk", Number.class);
            out.add(new DatabaseStats(d.getString("name"), size == null ? -1 : size.longValue(), List.of()));
        }
        return out;
    }

    /** Pings every open pool, each within 2 s. */
    public HealthReport health() {
        return health(Duration.ofSeconds(2));
    }

    /** Pings every open pool, each within {@code timeout}: up or down, latency, error. */
    public HealthReport health(Duration timeout) {
        checkOpen();
        List<HealthReport.PoolHealth> results = new ArrayList<>();
        results.add(ping(PRIMARY, primary, timeout));
        for (Pool pool : pools.values()) {
            MongoClient client = pool.openClient();
            if (client != null) {
                results.add(ping(pool.name(), client, timeout));
            }
        }
        return new HealthReport(results.stream().allMatch(HealthReport.PoolHealth::up), results);
    }

    private static HealthReport.PoolHealth ping(String name, MongoClient client, Duration timeout) {
        long start = System.nanoTime();
        try {
            client.getDatabase("admin").withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .runCommand(new Document("ping", 1));
            return new HealthReport.PoolHealth(name, true, (System.nanoTime() - start) / 1_000_000, null);
        } catch (RuntimeException e) {
            String message = e.getClass().getSimpleName() + ": " + Masking.inText(String.valueOf(e.getMessage()));
            return new HealthReport.PoolHealth(name, false, (System.nanoTime() - start) / 1_000_000, message);
        }
    }

    // ---- transactions ------------------------------------------------------------------------------------

    /** Runs {@code work} in a transaction on the primary pool with {@link TransactionSettings#defaults()}. */
    public <T> T transaction(TransactionWork<T> work) {
        return transaction(null, work, TransactionSettings.defaults());
    }

    /** Runs {@code work} in a transaction on the primary pool. */
    public <T> T transaction(TransactionWork<T> work, TransactionSettings settings) {
        return transaction(null, work, settings);
    }

    /**
     * Runs {@code work} in a session transaction on the pool of {@code database} (null: the primary): commits on
     * success, aborts on failure, retries the body on {@code TransientTransactionError} and the commit on
     * {@code UnknownTransactionCommitResult} with exponential back-off and jitter, all within the settings'
     * timeout. Nothing is scheduled: it runs and sleeps on the calling thread.
     *
     * @throws IllegalArgumentException if work or settings is null
     */
    public <T> T transaction(@Nullable String database, TransactionWork<T> work, TransactionSettings settings) {
        checkOpen();
        if (work == null || settings == null) {
            throw new IllegalArgumentException("work and settings must not be null");
        }
        MongoClient client = database == null ? primary : clientFor(database);
        return TransactionRunner.system().run(client::startSession, work, settings);
    }

    // ---- bulk tasks --------------------------------------------------------------------------------------

    /**
     * Bulk tasks over this manager's routing — copy, drop, export and import (see {@link BulkTasks} for formats
     * and guarantees); source and target may be on different pools. Every task that changes data (copy, drop,
     * import) tells the {@link #onDatabaseChanged} hooks, also when it fails. A copy or export of a database that
     * does not exist is refused ({@link BulkTasks.MissingSource#REJECT}).
     *
     * @throws MongoPoolsClosedException after close
     */
    public BulkTasks bulk() {
        checkOpen();
        return bulk;
    }

    /** Writes made by bulk tasks bypass any cache: the hooks let a cache forget the database. */
    private void changed(String database) {
        for (Consumer<String> hook : changeHooks) {
            try {
                hook.accept(database);
            } catch (RuntimeException e) {
                LOG.warn("mongocache: a database-changed hook threw; ignored", e);
            }
        }
    }

    // ---- change streams ----------------------------------------------------------------------------------

    /**
     * Opens a change stream on a database, tracked so that {@link #closeChangeStreams(String)} and
     * {@link #close()} can close it.
     */
    public MongoChangeStreamCursor<ChangeStreamDocument<Document>> openChangeStream(String database,
            List<? extends Bson> pipeline) {
        MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = database(database).watch(pipeline).cursor();
        changeStreams.computeIfAbsent(database, d -> ConcurrentHashMap.newKeySet()).add(cursor);
        return cursor;
    }

    /** Closes the tracked change streams of one database. */
    public void closeChangeStreams(String database) {
        Set<MongoChangeStreamCursor<?>> cursors = changeStreams.remove(database);
        if (cursors != null) {
            cursors.forEach(MongoPools::closeQuietly);
        }
    }

    /** Closes every tracked change stream. */
    public void closeAllChangeStreams() {
        for (String database : List.copyOf(changeStreams.keySet())) {
            closeChangeStreams(database);
        }
    }

    private static void closeQuietly(MongoChangeStreamCursor<?> cursor) {
        try {
            cursor.close();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: closing a change stream failed", e);
        }
    }

    // ---- shutdown ----------------------------------------------------------------------------------------

    /**
     * Stops accepting work, closes change streams, waits up to the close timeout (default 30 s) for in-flight
     * commands, then closes every pool. Idempotent.
     */
    @Override
    public void close() {
        close(closeTimeout);
    }

    /** {@link #close()} with an explicit timeout. */
    public void close(Duration timeout) {
        if (!beginClose()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Pool pool : everyPool()) {
                if (pool.isOpen()) {
                    pool.closeGracefully(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    fire(disconnectHooks, new PoolEvent(pool.name(), PoolEvent.Reason.CLOSED));
                }
            }
            while (primaryEvents.inFlight() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finishClose();
    }

    /** Closes every pool at once; in-flight commands fail. */
    public void closeNow() {
        if (!beginClose()) {
            return;
        }
        for (Pool pool : everyPool()) {
            if (pool.isOpen()) {
                pool.closeNow();
                fire(disconnectHooks, new PoolEvent(pool.name(), PoolEvent.Reason.CLOSED));
            }
        }
        finishClose();
    }

    /** Marks closed and retires every pool, so that nothing reopens one or registers another behind close. */
    private boolean beginClose() {
        synchronized (lifecycle) {
            if (closed) {
                return false;
            }
            closed = true;
            pools.values().forEach(Pool::retire);
        }
        scheduler.shutdownNow();
        closeAllChangeStreams();
        return true;
    }

    /** The configured pools and the replaced ones not closed yet. */
    private List<Pool> everyPool() {
        List<Pool> every = new ArrayList<>(pools.values());
        every.addAll(retiring);
        return every;
    }

    private void finishClose() {
        primary.close();
        fire(disconnectHooks, new PoolEvent(PRIMARY, PoolEvent.Reason.CLOSED));
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already running hooks
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new MongoPoolsClosedException("MongoPools is closed (close() or closeNow() was called)");
        }
    }

    /** Builds {@link MongoPools}. */
    public static final class Builder {
        private @Nullable String primaryUri;
        private @Nullable MongoClientSettings clientSettings;
        private boolean primaryFromSettings;
        private int primaryMaxConnections;
        private boolean coldStart = true;
        private int maxOpenPools = 100;
        private @Nullable Duration slowCommandThreshold;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private int historySize = 60;
        private Duration historyInterval = Duration.ofSeconds(10);
        private boolean shutdownHook;
        private final Map<String, PoolOptions> databases = new LinkedHashMap<>();
        private final List<Hook> connectHooks = new ArrayList<>();
        private final List<Hook> disconnectHooks = new ArrayList<>();
        private final List<Consumer<String>> changeHooks = new ArrayList<>();

        private Builder() {}

        /** Called with the name of every database a bulk task changed, e.g. {@code cache::invalidateDatabase}. */
        public Builder onDatabaseChanged(Consumer<String> hook) {
            if (hook == null) {
                throw new IllegalArgumentException("onDatabaseChanged: the hook must not be null");
            }
            changeHooks.add(hook);
            return this;
        }

        /**
         * The primary connection string: every database without a separate pool shares its pool, and separate pools
         * without their own {@link PoolOptions.Builder#uri uri} connect there too. Applied on top of the
         * {@link #clientSettings base client settings}. This or {@link #primary(MongoClientSettings)} is required.
         *
         * @throws IllegalArgumentException if null or malformed (the message masks credentials)
         */
        public Builder primary(String uri) {
            this.primaryUri = ConnectionStrings.validated("primary", uri);
            return this;
        }

        /**
         * The primary's client settings, like {@code MongoClients.create(settings)}: every database without a
         * separate pool shares that client, and they are the base every separate pool starts from (as
         * {@link #clientSettings} sets it) — cluster, credentials, TLS, codec registry, listeners and all. Pool
         * limits and the listeners behind {@link #stats()} are added to them, never instead of the user's.
         * This or {@link #primary(String)} is required; a connection string set with {@link #primary(String)} as
         * well applies on top.
         *
         * @throws IllegalArgumentException if null, or if base client settings were already set
         */
        public Builder primary(MongoClientSettings settings) {
            setClientSettings("primary", settings);
            this.primaryFromSettings = true;
            return this;
        }

        /**
         * The client settings every pool starts from, the primary's and each separate pool's: a codec registry
         * (POJOs), command and pool listeners, TLS, compressors, a credential, a {@code MongoClientSettings}
         * customiser's output. The primary's connection string and each pool's own apply on top
         * ({@code applyConnectionString}), then a pool's {@link PoolOptions.Builder#clientSettings changes} and
         * limits; the listeners that feed {@link MongoPools#stats()} and open-cursor tracking are added after the
         * user's. Default: the driver's defaults.
         *
         * @throws IllegalArgumentException if null, or if already set (here or by
         *     {@link #primary(MongoClientSettings)})
         */
        public Builder clientSettings(MongoClientSettings base) {
            setClientSettings("clientSettings", base);
            return this;
        }

        private void setClientSettings(String parameter, MongoClientSettings settings) {
            if (settings == null) {
                throw new IllegalArgumentException(parameter + " must not be null");
            }
            if (clientSettings != null) {
                throw new IllegalArgumentException(parameter + ": the base client settings were already set (by "
                        + "primary(MongoClientSettings) or clientSettings(MongoClientSettings)); set them once");
            }
            this.clientSettings = settings;
        }

        /**
         * The primary pool's connection limit per server; default: the primary's settings or connection string's,
         * else the driver's 100.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder primaryMaxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("primaryMaxConnections must be >= 1 but was " + max);
            }
            this.primaryMaxConnections = max;
            return this;
        }

        /**
         * A separate pool for {@code name}, configured at build time.
         *
         * @throws IllegalArgumentException on an invalid name or null options
         */
        public Builder database(String name, PoolOptions options) {
            Checks.databaseName("name", name);
            if (options == null) {
                throw new IllegalArgumentException("options must not be null");
            }
            databases.put(name, options);
            return this;
        }

        /** Global default: separate pools connect on first use (true, the default) or at build time. */
        public Builder coldStart(boolean coldStart) {
            this.coldStart = coldStart;
            return this;
        }

        /**
         * At most this many separate pools open at once; opening another closes the least recently used idle
         * one. Default 100.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxOpenPools(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOpenPools must be >= 1 but was " + max);
            }
            this.maxOpenPools = max;
            return this;
        }

        /** Logs commands slower than this (opt in; off by default). */
        public Builder slowCommandThreshold(Duration threshold) {
            if (threshold == null || threshold.isNegative()) {
                throw new IllegalArgumentException("slowCommandThreshold must be zero or positive but was " + threshold);
            }
            this.slowCommandThreshold = threshold;
            return this;
        }

        /** How long {@link #close()} waits for in-flight commands. Default 30 s. */
        public Builder closeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be zero or positive but was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /** Keep {@code samples} totals, one every {@code interval}. Default 60 every 10 s. */
        public Builder statsHistory(int samples, Duration interval) {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1 but was " + samples);
            }
            this.historyInterval = Checks.positive("interval", interval);
            this.historySize = samples;
            return this;
        }

        /** Close gracefully when the JVM shuts down. Default off. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /** A hook called when any pool opens. */
        public Builder onConnect(Consumer<PoolEvent> callback) {
            connectHooks.add(new Hook(null, requireCallback(callback)));
            return this;
        }

        /** A hook called when the named database's pool opens. */
        public Builder onConnect(String database, Consumer<PoolEvent> callback) {
            connectHooks.add(new Hook(database, requireCallback(callback)));
            return this;
        }

        /** A hook called when any pool closes. */
        public Builder onDisconnect(Consumer<PoolEvent> callback) {
            disconnectHooks.add(new Hook(null, requireCallback(callback)));
            return this;
        }

        /** A hook called when the named database's pool closes. */
        public Builder onDisconnect(String database, Consumer<PoolEvent> callback) {
            disconnectHooks.add(new Hook(database, requireCallback(callback)));
            return this;
        }

        /**
         * @throws IllegalArgumentException if no primary was set, or a separate pool's client settings changes throw
         *     or set a pool size other than its options'
         */
        public MongoPools build() {
            if (primaryUri == null && !primaryFromSettings) {
                throw new IllegalArgumentException("primary: a primary connection string or MongoClientSettings is "
                        + "required");
            }
            return new MongoPools(this);
        }
    }
}

package io.mongocache.pooling;

import com.mongodb.MongoClientSettings;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.pooling.bulk.BulkTasks;
import io.mongocache.pooling.internal.DriverEvents;
import io.mongocache.pooling.internal.Pool;
import io.mongocache.pooling.internal.ReopeningProxies;
import io.mongocache.pooling.internal.TransactionRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *     .separatePool("reports", PoolOptions.builder().maxConnections(5).autoClose(Duration.ofMinutes(5)).build())
 *     .maxOpenPools(50)
 *     .build();
 * MongoDatabase tenant = pools.database("tenant_42");              // the shared primary pool
 * pools.pools().separatePools(List.of("big_tenant"), PoolOptions.builder().maxConnections(20).build());
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
 * <p>This class keeps routing and the pools' lifecycle: build, routing, registering and replacing pools, the cap,
 * the idle sweep, close. The rest has a class of its own behind the methods here: {@link PoolFactory} makes the
 * clients' settings, {@link PoolsMonitor} the statistics and health, {@link PoolHooks} calls the hooks,
 * {@link TrackedChangeStreams} tracks change streams, {@link TransactionRunner} runs transactions, and
 * {@link BulkTasks} (through {@link #bulk()}, the one door to them) copies, drops, exports and imports. The file
 * runs past our usual ~500 lines because it holds the two nested classes users name, {@link Control} (~70 lines)
 * and {@link Builder} (~200 lines of documented setters); the rest is routing, lifecycle and one-line facades.
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

    private final PoolFactory factory;
    private final MongoClient primary;
    private final DriverEvents primaryEvents;
    private final boolean coldStart;
    private final int maxOpenPools;
    private final Duration closeTimeout;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, MongoDatabase> handles = new ConcurrentHashMap<>();
    /** Pools whose configuration was replaced, until they close (once not busy). */
    private final Set<Pool> retiring = ConcurrentHashMap.newKeySet();
    /** Orders replacing a pool against {@link #close()}, so no pool is registered after close has taken stock. */
    private final Object lifecycle = new Object();
    private final PoolHooks hooks;
    private final PoolsMonitor monitor;
    private final TrackedChangeStreams changeStreams = new TrackedChangeStreams();
    private final BulkTasks bulk;
    private final ScheduledExecutorService scheduler;
    private final @Nullable Thread shutdownHook;
    private final Control control = new Control();
    private volatile boolean closed;
    /**
     * Runs between finding a name's pool and handing out its client, where a concurrent replacement races; tests
     * replace the pool here to drive that race deterministically.
     */
    volatile Runnable afterPoolLookup = () -> { };

    private MongoPools(Builder b) {
        this.factory = new PoolFactory(
                b.clientSettings != null ? b.clientSettings : MongoClientSettings.builder().build(), b.primaryUri,
                b.slowCommandThreshold);
        this.coldStart = b.coldStart;
        this.maxOpenPools = b.maxOpenPools;
        this.closeTimeout = b.closeTimeout;
        this.hooks = b.hooks.copy();
        // Every separate pool's settings are made (and the user's changes checked) before anything opens.
        Map<String, Pool> configured = new LinkedHashMap<>();
        for (Map.Entry<String, PoolOptions> e : b.databases.entrySet()) {
            configured.put(e.getKey(), factory.newPool(e.getKey(), e.getValue()));
        }
        this.primaryEvents = factory.primaryEvents();
        this.primary = MongoClients.create(factory.primarySettings(b.primaryMaxConnections, primaryEvents));
        this.monitor = new PoolsMonitor(pools, primary, primaryEvents, b.historySize);
        this.bulk = new BulkTasks(this::database, hooks::databaseChanged, BulkTasks.MissingSource.REJECT);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreadFactory.named("mongocache-pools"));
        hooks.connected(PRIMARY, PoolEvent.Reason.EAGER);
        configured.forEach((name, pool) -> register(name, pool, b.databases.get(name), false));
        scheduler.scheduleWithFixedDelay(() -> closeIdlePools(System.currentTimeMillis()), 100, 100,
                TimeUnit.MILLISECONDS);
        long sampleMillis = b.historyInterval.toMillis();
        scheduler.scheduleWithFixedDelay(monitor::sample, sampleMillis, sampleMillis, TimeUnit.MILLISECONDS);
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
        public void separatePools(Collection<String> names, PoolOptions options) {
            configure(names, options, false);
        }

        /** Like {@link #separatePools} but opens the pools now. */
        public void connect(Collection<String> names, PoolOptions options) {
            configure(names, options, true);
        }

        private void configure(Collection<String> names, PoolOptions options, boolean eager) {
            checkOpen();
            for (String name : names) {
                Checks.databaseName("name", name);
                register(name, factory.newPool(name, options), options, eager);
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
            if (pool.isOpen()) {
                pool.closeNow();
                hooks.disconnected(name, PoolEvent.Reason.CLOSED);
            }
        }

        /** Whether the pool serving {@code database} has every connection in use or a waiting thread. */
        public boolean isSaturated(String database) {
            return monitor.usage(database).saturated();
        }

        /**
         * How many more commands the pool serving {@code database} can run at once without waiting: its limit minus
         * the connections in use, 0 when saturated. What a node advertises to peers for delegation.
         */
        public int freeConnections(String database) {
            return monitor.usage(database).free();
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

    // ---- pool lifecycle ------------------------------------------------------------------------------------

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
        hooks.connected(pool.name(), reason);
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
                hooks.disconnected(candidate.name(), PoolEvent.Reason.EVICTED);
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
                    hooks.disconnected(pool.name(), PoolEvent.Reason.IDLE);
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
            hooks.disconnected(pool.name(), PoolEvent.Reason.CLOSED);
        } else if (!pool.isOpen()) {
            retiring.remove(pool); // retired pools never reopen
        }
    }

    // ---- hooks (see PoolHooks) -------------------------------------------------------------------------------

    /**
     * Adds a hook called with the name of every database a bulk task changed (dropped, copied into, imported
     * into) — e.g. {@code cache::invalidateDatabase}, since those writes bypass the cache.
     *
     * @throws IllegalArgumentException if the hook is null
     */
    public void onDatabaseChanged(Consumer<String> hook) {
        hooks.onDatabaseChanged(hook);
    }

    /** Adds a hook called when any pool opens. */
    public void onConnect(Consumer<PoolEvent> callback) {
        hooks.onConnect(null, callback);
    }

    /** Adds a hook called when the named database's pool opens. */
    public void onConnect(String database, Consumer<PoolEvent> callback) {
        hooks.onConnect(database, callback);
    }

    /** Adds a hook called when any pool closes. */
    public void onDisconnect(Consumer<PoolEvent> callback) {
        hooks.onDisconnect(null, callback);
    }

    /** Adds a hook called when the named database's pool closes. */
    public void onDisconnect(String database, Consumer<PoolEvent> callback) {
        hooks.onDisconnect(database, callback);
    }

    // ---- observability (see PoolsMonitor) --------------------------------------------------------------------

    /** Every pool's statistics, totals and the recent history. */
    public PoolsStats stats() {
        return monitor.stats();
    }

    /**
     * Size and collections (with estimated counts and sizes) of one database.
     *
     * @throws IllegalArgumentException if the name is not a valid database name
     * @throws MongoPoolsClosedException after close
     */
    public DatabaseStats stats(String database) {
        return monitor.stats(database, database(database));
    }

    /** The databases of the primary server with their sizes on disk. */
    public List<DatabaseStats> listDatabases() {
        checkOpen();
        return monitor.listDatabases();
    }

    /** Pings every open pool, each within 2 s. */
    public HealthReport health() {
        return health(Duration.ofSeconds(2));
    }

    /** Pings every open pool, each within {@code timeout}: up or down, latency, error. */
    public HealthReport health(Duration timeout) {
        checkOpen();
        return monitor.health(timeout);
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

    // ---- change streams (see TrackedChangeStreams) -----------------------------------------------------------

    /**
     * Opens a change stream on a database, tracked so that {@link #closeChangeStreams(String)} and
     * {@link #close()} can close it.
     */
    public MongoChangeStreamCursor<ChangeStreamDocument<Document>> openChangeStream(String database,
            List<? extends Bson> pipeline) {
        return changeStreams.open(database, database(database), pipeline);
    }

    /** Closes the tracked change streams of one database. */
    public void closeChangeStreams(String database) {
        changeStreams.close(database);
    }

    /** Closes every tracked change stream. */
    public void closeAllChangeStreams() {
        changeStreams.closeAll();
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
                    hooks.disconnected(pool.name(), PoolEvent.Reason.CLOSED);
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
                hooks.disconnected(pool.name(), PoolEvent.Reason.CLOSED);
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
        changeStreams.closeAll();
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
        hooks.disconnected(PRIMARY, PoolEvent.Reason.CLOSED);
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
        private final PoolHooks hooks = new PoolHooks();

        private Builder() {}

        /**
         * Called with the name of every database a bulk task changed, e.g. {@code cache::invalidateDatabase}.
         *
         * @throws IllegalArgumentException if the hook is null
         */
        public Builder onDatabaseChanged(Consumer<String> hook) {
            hooks.onDatabaseChanged(hook);
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
        public Builder separatePool(String name, PoolOptions options) {
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
            hooks.onConnect(null, callback);
            return this;
        }

        /** A hook called when the named database's pool opens. */
        public Builder onConnect(String database, Consumer<PoolEvent> callback) {
            hooks.onConnect(database, callback);
            return this;
        }

        /** A hook called when any pool closes. */
        public Builder onDisconnect(Consumer<PoolEvent> callback) {
            hooks.onDisconnect(null, callback);
            return this;
        }

        /** A hook called when the named database's pool closes. */
        public Builder onDisconnect(String database, Consumer<PoolEvent> callback) {
            hooks.onDisconnect(database, callback);
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

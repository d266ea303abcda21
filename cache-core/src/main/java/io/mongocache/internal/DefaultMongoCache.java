package io.mongocache.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.TransactionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.TransactionBody;
import com.mongodb.client.MongoCollection;
import io.mongocache.CacheStats;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheClosedException;
import io.mongocache.MongoCacheConfig;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.invalidation.CollectionCollation;
import io.mongocache.invalidation.Invalidation;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MongoCache} implementation: owns the versions, the tiers, the invalidation channel, the statistics
 * and two schedulers.
 *
 * <p>Concurrency: the maintenance scheduler runs whatever may wait for Redis — probes, recovery, subscribing,
 * the second invalidation of unacknowledged writes — one task at a time; the heartbeat scheduler runs the
 * channel's heartbeats alone, which never wait. Nothing runs on them before {@link #start} has built the whole
 * cache: no callback can see a field unset. Failure modes: a slow or stuck maintenance task delays the next one,
 * never a heartbeat, so it cannot make this node distrust its own local tier.
 *
 * <p>Ordering invariants:
 * <ul>
 *   <li>A write moves the Redis tokens before the local versions: {@link #invalidate(Invalidation)} replaces the
 *       tokens (waiting for Redis, or — asynchronously — with the tier skipping those entries for this node until
 *       Redis took them) and only then applies the invalidation to the local versions. In the other order a read
 *       here could stamp itself with the new local versions while Redis still serves the old entry, and install
 *       that entry in the local tier as current.
 *   <li>A remote invalidation moves only the local versions: its sender moved the tokens before publishing it.
 *   <li>Anything that may have missed messages (a (re-)subscription, a gap, a Redis outage) bumps every local
 *       version; after an outage every node is also told to flush, and the era in Redis is retired.
 *   <li>Close bumps every local version first, so nothing is served from the local tier while the rest shuts down.
 * </ul>
 */
public final class DefaultMongoCache implements MongoCache, io.mongocache.spi.CacheHooks {
    private volatile io.mongocache.spi.@Nullable ReadDelegate readDelegate;
    private static final Logger LOG = LoggerFactory.getLogger(DefaultMongoCache.class);

    private final MongoCacheConfig config;
    private final long defaultTtlNanos;
    private final Versions versions = new Versions();
    private final StatsRegistry stats;
    private final @Nullable LocalTier local;
    private final @Nullable RedisTier redis;
    private final @Nullable InvalidationChannel channel;
    private final CacheReads reads;
    private final SessionWrites sessionWrites = new SessionWrites();
    private final CollectionCollations collations;
    private final ScheduledExecutorService scheduler;
    private final @Nullable ScheduledExecutorService heartbeats;
    private final java.util.concurrent.ThreadPoolExecutor reloads;
    private volatile boolean closed;

    /**
     * Builds a cache and starts its background work (heartbeats, probes, the asynchronous sender).
     *
     * @throws io.mongocache.MongoCacheConfigurationException if Redis refuses the configured credentials or database
     */
    public static DefaultMongoCache start(MongoCacheConfig config) {
        DefaultMongoCache cache = new DefaultMongoCache(config);
        cache.startBackgroundWork();
        return cache;
    }

    /** Builds everything and starts nothing: no task is scheduled and no callback handed out can run yet. */
    private DefaultMongoCache(MongoCacheConfig config) {
        this.config = config;
        this.defaultTtlNanos = config.defaultTtl().toNanos();
        ProxyClasses.warmUpInBackground(); // while Redis connects, so the first wrap finds them ready
        this.stats = new StatsRegistry(config.maxTrackedNamespaces());
        this.collations = new CollectionCollations(config.nanoClock()::getAsLong);
        this.scheduler = singleThreadScheduler("mongocache-scheduler");
        this.local = config.maxLocalBytes() > 0 ? new LocalTier(config.maxLocalBytes(), config.nanoClock()::getAsLong, stats) : null;
        if (config.redisMode() == MongoCacheConfig.RedisMode.NONE) {
            this.redis = null;
            this.channel = null;
            this.heartbeats = null;
        } else {
            RedisTier tier;
            try {
                tier = new RedisTier(config, stats, scheduler);
            } catch (RuntimeException e) {
                scheduler.shutdownNow();
                throw e;
            }
            this.redis = tier;
            this.heartbeats = singleThreadScheduler("mongocache-heartbeat");
            this.channel = new InvalidationChannel(tier, config.keyPrefix(), config.maxStaleness(), heartbeats,
                    scheduler, this::applyRemote, this::flushLocal);
        }
        InvalidationChannel ch = channel;
        // Background reloads (refreshAhead): a few threads and a bounded queue; a reload that finds no room is
        // skipped and the entry expires as usual.
        this.reloads = new java.util.concurrent.ThreadPoolExecutor(0, 2, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(1_000), DaemonThreadFactory.named("mongocache-reload"));
        this.reads = new CacheReads(versions, local, redis, stats, config.maxResultBytes(),
                ch == null ? () -> true : ch::localTierTrusted, ch == null ? () -> true : ch::sharedTierTrusted,
                new CacheReads.Expiry(config.ttlJitter(), config.refreshAhead(), reloads));
    }

    /**
     * Hands the tier its callbacks and starts the work on the schedulers: the tier's probe (if Redis did not answer
     * at build) and sender, and the channel's heartbeats and subscription. Called once, after construction.
     */
    private void startBackgroundWork() {
        RedisTier tier = redis;
        InvalidationChannel ch = channel;
        if (tier != null && ch != null) {
            tier.tokenMemo(versions::written);
            tier.bundler(ch.bundler());
            tier.onRecovery(() -> {
                // Invalidations of other nodes may have been lost while Redis was unreachable, and ours did not
                // reach them: flush here and tell everyone to flush.
                ch.flush("Redis answered again after an outage");
                scheduler.execute(() -> invalidate(Invalidation.everything()));
            });
            tier.start();
            ch.start();
        }
        LOG.debug("mongocache: built {}", config);
    }

    private static ScheduledExecutorService singleThreadScheduler(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreadFactory.named(name));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** The maintenance scheduler (probes, recovery, subscribing), for tests that make it wait. */
    ScheduledExecutorService maintenanceScheduler() {
        return scheduler;
    }

    @Override
    public <T> CachedCollection<T> wrap(MongoCollection<T> collection) {
        checkWrappable(collection, "collection");
        if (collection instanceof CachedCollectionImpl<T> cached) {
            if (cached.cache() == this) {
                return cached;
            }
            throw new IllegalArgumentException("collection " + cached.ns() + " is already wrapped by another "
                    + "MongoCache: a second layer would not see the first one's writes and serve stale data; wrap "
                    + "the driver's collection once, with one cache");
        }
        return CachedCollectionImpl.create(this, collection, CollectionView.DEFAULT);
    }

    @Override
    public io.mongocache.CachedDatabase wrap(com.mongodb.client.MongoDatabase database) {
        checkWrappable(database, "database");
        return CachedDatabases.wrap(this, database);
    }

    /** What both {@code wrap}s refuse: a null argument, a closed cache. */
    private void checkWrappable(@Nullable Object driverObject, String what) {
        if (driverObject == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (closed) {
            throw new MongoCacheClosedException("this MongoCache was closed; build a new one to wrap " + what + "s");
        }
    }

    @Override
    public CacheStats stats() {
        if (local != null) {
            local.cleanUp();
        }
        InvalidationChannel ch = channel;
        CacheStats.Channel channelStats = ch == null ? CacheStats.Channel.NONE
                : new CacheStats.Channel(ch.received.sum(), ch.invalidations.sum(), ch.gaps.sum(), ch.flushes.sum(),
                        ch.localTierTrusted(), ch.lagNanos < 0 ? -1 : ch.lagNanos / 1_000);
        return stats.snapshot(redis != null && redis.available(), redis == null ? null : redis.problem(),
                channelStats, local == null ? 0 : local.size());
    }

    @Override
    public void invalidate(MongoNamespace namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("namespace must not be null");
        }
        invalidate(Invalidation.namespace(namespace.getFullName()));
    }

    @Override
    public void readDelegate(io.mongocache.spi.@Nullable ReadDelegate delegate) {
        this.readDelegate = delegate;
    }

    io.mongocache.spi.@Nullable ReadDelegate readDelegate() {
        return readDelegate;
    }

    @Override
    public java.util.Optional<SharedRedis> sharedRedis() {
        RedisTier tier = redis;
        return tier == null ? java.util.Optional.empty() : java.util.Optional.of(new SharedRedis(config.redisUris(),
                config.redisMode() == MongoCacheConfig.RedisMode.CLUSTER, config.keyPrefix(), tier.resources()));
    }

    @Override
    public void invalidateAll() {
        if (local != null) {
            local.invalidateAll();
        }
        invalidate(Invalidation.everything());
    }

    @Override
    public boolean awaitInvalidations(Duration timeout) throws InterruptedException {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive but was " + timeout);
        }
        InvalidationChannel ch = channel;
        return ch == null || ch.awaitCurrent(timeout);
    }

    @Override
    public <T> T transaction(ClientSession session, TransactionBody<T> body) {
        return transaction(session, body, TransactionOptions.builder().build());
    }

    @Override
    public <T> T transaction(ClientSession session, TransactionBody<T> body, TransactionOptions options) {
        if (session == null || body == null || options == null) {
            throw new IllegalArgumentException("session, body and options must not be null");
        }
        try {
            return session.withTransaction(body, options);
        } finally {
            // Committed or aborted: reads made during the transaction may have cached pre-commit data.
            for (Invalidation invalidation : sessionWrites.drain(session)) {
                invalidate(invalidation);
            }
        }
    }

    @Override
    public void afterTransaction(ClientSession session) {
        if (session == null) {
            throw new IllegalArgumentException("session must not be null");
        }
        for (Invalidation invalidation : sessionWrites.drain(session)) {
            invalidate(invalidation);
        }
    }

    @Override
    public void invalidateDatabase(String database) {
        Checks.databaseName("database", database);
        invalidateAll();
    }

    SessionWrites sessionWrites() {
        return sessionWrites;
    }

    @Override
    public MongoCacheConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        versions.bumpAll();
        if (channel != null) {
            channel.close();
        }
        if (redis != null) {
            redis.close();
        }
        scheduler.shutdownNow();
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        reloads.shutdownNow();
        if (local != null) {
            local.invalidateAll();
        }
    }

    /** Throws if this cache is closed: its collections refuse every call, so no write goes uninvalidated. */
    void checkOpen(String namespace) {
        if (closed) {
            throw new MongoCacheClosedException("the MongoCache that wrapped " + namespace + " was closed: its "
                    + "collections refuse every call, since their writes would no longer invalidate other nodes; "
                    + "wrap the collection with an open cache, or use the driver's collection directly");
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** The id of this node on the invalidation channel, or null without Redis. */
    public @Nullable String nodeId() {
        return channel == null ? null : channel.nodeId();
    }

    /**
     * Makes every cached result the invalidation covers unservable: at once on this node, then in Redis and on the
     * channel — before returning ({@code SYNC}) or through the background sender ({@code ASYNC}); if Redis is
     * unreachable, as soon as it answers again.
     */
    @Override
    public void invalidate(Invalidation invalidation) {
        invalidate(invalidation, true);
    }

    /** Like {@link #invalidate(Invalidation)}, but always waits for Redis (the watcher checkpoints on the answer). */
    @Override
    public boolean invalidateShared(Invalidation invalidation) {
        return invalidate(invalidation, false);
    }

    private boolean invalidate(Invalidation invalidation, boolean mayDefer) {
        if (invalidation == null) {
            throw new IllegalArgumentException("invalidation must not be null");
        }
        sessionWrites.record(invalidation);
        if (invalidation.kind() != Invalidation.Kind.EVERYTHING) {
            stats.of(invalidation.namespace()).invalidations.increment();
        }
        RedisTier tier = redis;
        InvalidationChannel ch = channel;
        try {
            if (tier != null && !closed) {
                Supplier<byte[]> message = ch == null ? null : () -> ch.encode(invalidation);
                byte[] channelName = ch == null ? null : ch.channel();
                // Asynchronously, the tier blocks its entries for this node until Redis took the new tokens, so the
                // local versions may move first: a read here then skips Redis instead of finding the old entry.
                return mayDefer ? tier.invalidate(invalidation, channelName, message)
                        : tier.invalidateSynchronously(invalidation, channelName, message);
            }
            return tier == null;
        } finally {
            // Local versions move only after Redis holds the new tokens (see the class note; the other order was
            // found by the multi-node stale-read checker).
            versions.apply(invalidation);
            forgetCollations(invalidation);
        }
    }

    /**
     * Invalidates once more, {@code maxStaleness / 2} from now, what an unacknowledged write ({@code w: 0})
     * changed: it returned when it was sent, so a read may have stamped itself after the first invalidation and
     * read the old value before the server applied the write. Every such install is dead after this second
     * invalidation, which leaves half the bound for it to reach the other nodes. A write the server applies later
     * than that is not covered: nothing here can know when it lands.
     */
    void invalidateAgainLater(Invalidation invalidation) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                if (!closed) {
                    invalidate(invalidation);
                }
            }, config.maxStaleness().toNanos() / 2, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // close() shut the scheduler down: nothing is served any more.
        }
    }

    private void applyRemote(Invalidation invalidation) {
        versions.apply(invalidation);
        forgetCollations(invalidation);
    }

    private void flushLocal() {
        versions.bumpAll();
        collations.forgetAll();
    }

    /**
     * A namespace invalidated as a whole may have been dropped and re-created with another default collation
     * (drops, renames and outside DDL arrive as nothing more precise): ask again before trusting string ids there.
     */
    private void forgetCollations(Invalidation invalidation) {
        switch (invalidation.kind()) {
            case NAMESPACE -> collations.forget(invalidation.namespace());
            case EVERYTHING -> collations.forgetAll();
            case DOCUMENTS -> { }
        }
    }

    /**
     * The default collation of {@code collection} (whose namespace is {@code namespace}): known here, or learned
     * from its {@code listIndexes} reply now. Asked by the analysis only when a string id makes it matter.
     */
    CollectionCollation defaultCollation(String namespace, MongoCollection<?> collection) {
        return collations.of(namespace, () -> collection
                .withCodecRegistry(com.mongodb.MongoClientSettings.getDefaultCodecRegistry())
                .listIndexes(BsonDocument.class).into(new java.util.ArrayList<>()), CollectionCollation::fromIndexes);
    }

    /** Whether writes invalidate what their analysis pins ({@code preciseInvalidation}), or whole namespaces. */
    boolean precise() {
        return config.preciseInvalidation();
    }

    /** {@code waitLimitNanos}: see {@link CacheReads#read}. */
    ReadResult read(CacheKey key, @Nullable Duration ttl, long waitLimitNanos, Loader loader) {
        return read(key, stats.of(key.namespace()), ttl, waitLimitNanos, loader, null);
    }

    /** A read whose caller keeps its namespace's statistics row ({@link #counters}); see {@link CacheReads#read}. */
    ReadResult read(CacheKey key, StatsRegistry.Counters counters, @Nullable Duration ttl, long waitLimitNanos,
            Loader loader, java.util.function.@Nullable Supplier<Loader> reloader) {
        long ttlNanos = ttl != null ? ttl.toNanos() : defaultTtlNanos;
        return reads.read(key, counters, ttlNanos, waitLimitNanos, loader, reloader);
    }

    /** The statistics row of a namespace, for a caller to keep while it is not {@code retired}. */
    StatsRegistry.Counters counters(String namespace) {
        return stats.of(namespace);
    }

    /** Whether hits reload entries in the background, so that reads need to offer a reloader. */
    boolean refreshAhead() {
        return reads.refreshAhead();
    }

    void recordBypass(String namespace) {
        stats.of(namespace).bypasses.increment();
    }
}

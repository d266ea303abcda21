package io.mongocache.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoCollection;
import io.mongocache.CacheStats;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheClosedException;
import io.mongocache.MongoCacheConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link MongoCache} implementation: owns the tiers, the generations, the statistics and a scheduler. */
public final class DefaultMongoCache implements MongoCache {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultMongoCache.class);

    private final MongoCacheConfig config;
    private final Generations generations = new Generations();
    private final StatsRegistry stats = new StatsRegistry();
    private final @Nullable LocalTier local;
    private final @Nullable RedisTier redis;
    private final CacheReads reads;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public DefaultMongoCache(MongoCacheConfig config) {
        this.config = config;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Executors.defaultThreadFactory().newThread(r);
            t.setName("mongocache-scheduler");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
        this.local = config.maxLocalBytes() > 0 ? new LocalTier(config.maxLocalBytes(), config.ticker(), stats) : null;
        this.redis = config.redisMode() == MongoCacheConfig.RedisMode.NONE
                ? null
                : new RedisTier(config, stats, scheduler);
        this.reads = new CacheReads(generations, local, redis, stats, config.maxResultBytes());
        LOG.debug("mongocache: built {}", config);
    }

    @Override
    public <T> CachedCollection<T> wrap(MongoCollection<T> collection) {
        if (collection == null) {
            throw new IllegalArgumentException("collection must not be null");
        }
        if (closed) {
            throw new MongoCacheClosedException("this MongoCache was closed; build a new one to wrap collections");
        }
        if (collection instanceof CachedCollectionImpl<T> cached && cached.cache() == this) {
            return cached;
        }
        return CachedCollectionImpl.create(this, collection, CollectionView.DEFAULT);
    }

    @Override
    public CacheStats stats() {
        if (local != null) {
            local.cleanUp();
        }
        return stats.snapshot(redis != null && redis.available());
    }

    @Override
    public void invalidate(MongoNamespace namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("namespace must not be null");
        }
        invalidateNamespaces(namespace.getFullName());
    }

    @Override
    public void invalidateAll() {
        generations.bumpAll();
        if (local != null) {
            local.invalidateAll();
        }
        if (redis != null) {
            List<String> known = new ArrayList<>();
            generations.knownNamespaces().forEach(known::add);
            if (!known.isEmpty()) {
                redis.invalidate(known.toArray(String[]::new));
            }
        }
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
        generations.bumpAll();
        if (redis != null) {
            redis.close();
        }
        scheduler.shutdownNow();
        if (local != null) {
            local.invalidateAll();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Makes every cached result that depends on one of these namespaces unservable: at once on this node,
     * and in Redis before returning (or, if Redis is unreachable, as soon as it answers again).
     */
    void invalidateNamespaces(String... namespaces) {
        for (String ns : namespaces) {
            generations.bump(ns);
            stats.of(ns).invalidations.increment();
        }
        if (redis != null && !closed) {
            redis.invalidate(namespaces);
        }
    }

    /** Invalidates every namespace of a database this node knows of, plus everything local. */
    void invalidateEverything() {
        invalidateAll();
    }

    ReadResult read(CacheKey key, @Nullable Duration ttl, Loader loader) {
        Duration effective = ttl != null ? ttl : config.defaultTtl();
        return reads.read(key, effective.toNanos(), loader);
    }

    void recordBypass(String namespace) {
        stats.of(namespace).bypasses.increment();
    }
}

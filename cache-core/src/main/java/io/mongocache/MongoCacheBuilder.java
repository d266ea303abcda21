package io.mongocache;

import com.mongodb.annotations.NotThreadSafe;
import io.lettuce.core.RedisURI;
import io.mongocache.common.Checks;
import io.mongocache.common.Masking;
import io.mongocache.internal.DefaultMongoCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link MongoCache}. Every setter validates its argument and names the parameter and the rule when it
 * rejects one; {@link #build()} validates the whole.
 */
@NotThreadSafe
public final class MongoCacheBuilder {
    MongoCacheConfig.RedisMode redisMode = MongoCacheConfig.RedisMode.NONE;
    final List<String> redisUris = new ArrayList<>();
    long maxLocalBytes = 64L * 1024 * 1024;
    Duration defaultTtl = Duration.ofMinutes(5);
    long maxResultBytes = 1024L * 1024;
    Duration redisTimeout = Duration.ofMillis(500);
    Duration redisRetryInterval = Duration.ofSeconds(1);
    String keyPrefix = "mc";
    java.util.function.LongSupplier nanoClock = System::nanoTime;
    Duration maxStaleness = Duration.ofSeconds(2);
    boolean preciseInvalidation = true;
    InvalidationMode invalidationMode = InvalidationMode.SYNC;
    double ttlJitter = 0.05;
    double refreshAhead = 0;
    int maxTrackedNamespaces = 1_000;
    java.util.function.@org.jspecify.annotations.Nullable Function<String, com.mongodb.client.MongoDatabase> databases;

    MongoCacheBuilder() {}

    /**
     * Uses one Redis server as the shared tier, e.g. {@code redis://127.0.0.1:6379} or
     * {@code rediss://user:secret@host:6380/0}. Without a Redis setting the cache is local only.
     *
     * @throws IllegalArgumentException if the URI is null or malformed, or Redis was already set
     */
    public MongoCacheBuilder redis(String uri) {
        requireRedisUnset();
        Checks.redisUri("redis", uri, MongoCacheBuilder::lettuceAccepts);
        redisMode = MongoCacheConfig.RedisMode.STANDALONE;
        redisUris.add(uri);
        return this;
    }

    /**
     * Uses a Redis Cluster as the shared tier, reached through the given seed node URIs.
     *
     * @throws IllegalArgumentException if no URI is given, one is malformed, or Redis was already set
     */
    public MongoCacheBuilder redisCluster(String... seedUris) {
        requireRedisUnset();
        List<String> seeds = Checks.redisUris("redisCluster", seedUris, MongoCacheBuilder::lettuceAccepts);
        redisMode = MongoCacheConfig.RedisMode.CLUSTER;
        redisUris.addAll(seeds);
        return this;
    }

    /**
     * Bounds the local (Caffeine) tier by bytes of cached BSON. Default 64 MiB; 0 turns the local tier off.
     *
     * @throws IllegalArgumentException if negative
     */
    public MongoCacheBuilder maxLocalBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxLocalBytes must be >= 0 but was " + bytes);
        }
        this.maxLocalBytes = bytes;
        return this;
    }

    /**
     * How long a cached result lives unless a query sets {@code cacheTTL}. Default 5 minutes.
     *
     * @throws IllegalArgumentException if null, zero or negative
     */
    public MongoCacheBuilder defaultTtl(Duration ttl) {
        this.defaultTtl = Checks.positive("defaultTtl", ttl);
        return this;
    }

    /**
     * Results whose BSON exceeds this many bytes are streamed from MongoDB and not cached. Default 1 MiB.
     *
     * @throws IllegalArgumentException if not positive
     */
    public MongoCacheBuilder maxResultBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxResultBytes must be > 0 but was " + bytes);
        }
        this.maxResultBytes = bytes;
        return this;
    }

    /**
     * How long one Redis command may take before the call falls through to MongoDB. Default 500 ms. Any value
     * works with any {@link #maxStaleness}: heartbeats never wait for a reply, so the timeout does not pace them.
     *
     * @throws IllegalArgumentException if null, zero or negative
     */
    public MongoCacheBuilder redisTimeout(Duration timeout) {
        this.redisTimeout = Checks.positive("redisTimeout", timeout);
        return this;
    }

    /**
     * After a Redis fault the shared tier is skipped and probed at this interval until it answers. Default 1 s.
     *
     * @throws IllegalArgumentException if null, zero or negative
     */
    public MongoCacheBuilder redisRetryInterval(Duration interval) {
        this.redisRetryInterval = Checks.positive("redisRetryInterval", interval);
        return this;
    }

    /**
     * Prefix of every Redis key, so several applications can share one Redis. Default {@code "mc"}.
     *
     * @throws IllegalArgumentException if null, empty, or containing '{', '}' or whitespace
     */
    public MongoCacheBuilder keyPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || !prefix.matches("[^{}\\s]+")) {
            throw new IllegalArgumentException(
                    "keyPrefix must be non-empty without '{', '}' or whitespace but was '" + prefix + "'");
        }
        this.keyPrefix = prefix;
        return this;
    }

    /**
     * The bound on how long another node's write can leave this node's local tier stale, even when invalidation
     * messages are lost or Redis pauses: without fresh proof of having received every invalidation up to this
     * long ago, the local tier stops serving. Default 2 s; heartbeats go out every quarter of it.
     *
     * @throws IllegalArgumentException if null or shorter than 40 ms
     */
    public MongoCacheBuilder maxStaleness(Duration maxStaleness) {
        Checks.positive("maxStaleness", maxStaleness);
        if (maxStaleness.toMillis() < 40) {
            throw new IllegalArgumentException("maxStaleness must be at least 40 ms but was " + maxStaleness);
        }
        this.maxStaleness = maxStaleness;
        return this;
    }

    /**
     * Whether writes by {@code _id} invalidate only point reads of those ids (the analysis of
     * {@code io.mongocache.invalidation}, always present), or whole namespaces. Default true.
     *
     * @param precise false to invalidate the whole namespace on every write
     */
    public MongoCacheBuilder preciseInvalidation(boolean precise) {
        this.preciseInvalidation = precise;
        return this;
    }

    /**
     * When writes tell Redis and the other nodes what they changed: {@link InvalidationMode#SYNC} (default) waits
     * for Redis before the write returns; {@link InvalidationMode#ASYNC} sends in the background. Both keep the
     * read-your-writes and {@code maxStaleness} promises (see {@link InvalidationMode}).
     *
     * @throws IllegalArgumentException if null
     */
    public MongoCacheBuilder invalidation(InvalidationMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("invalidation: the mode must not be null (SYNC or ASYNC)");
        }
        this.invalidationMode = mode;
        return this;
    }

    /**
     * Shortens each entry's lifetime by a random fraction of up to this much, so entries loaded together do not
     * expire together. Default 0.05 (up to 5 % shorter); 0 turns it off.
     *
     * @throws IllegalArgumentException if not between 0 and 0.5
     */
    public MongoCacheBuilder ttlJitter(double fraction) {
        if (!(fraction >= 0 && fraction <= 0.5)) {
            throw new IllegalArgumentException("ttlJitter must be between 0 and 0.5 but was " + fraction);
        }
        this.ttlJitter = fraction;
        return this;
    }

    /**
     * Reloads a hot entry in the background when a hit finds it in the last {@code fraction} of its life, so that
     * hot entries never expire under their readers: one reload per key per node at a time, while the old entry
     * keeps serving. Default 0 (off); e.g. 0.2 reloads entries hit in the last fifth of their TTL.
     *
     * @throws IllegalArgumentException if not in [0, 1)
     */
    public MongoCacheBuilder refreshAhead(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("refreshAhead must be >= 0 and < 1 but was " + fraction);
        }
        this.refreshAhead = fraction;
        return this;
    }

    /**
     * How many namespaces {@code stats()} reports one by one: the most recently used; the rest are folded into
     * the totals, so memory stays bounded however many namespaces are touched. Default 1,000.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public MongoCacheBuilder maxTrackedNamespaces(int namespaces) {
        if (namespaces < 1) {
            throw new IllegalArgumentException("maxTrackedNamespaces must be >= 1 but was " + namespaces);
        }
        this.maxTrackedNamespaces = namespaces;
        return this;
    }

    /**
     * How {@code CachedCollection.db(name)} finds another database: a client's {@code getDatabase}, or a pool
     * manager's router such as {@code MongoPools::database} (separate pools per database).
     *
     * @throws IllegalArgumentException if null
     */
    public MongoCacheBuilder databases(java.util.function.Function<String, com.mongodb.client.MongoDatabase> router) {
        if (router == null) {
            throw new IllegalArgumentException("databases: the router must not be null");
        }
        this.databases = router;
        return this;
    }

    /** {@link #databases(java.util.function.Function)} with one client for every database. */
    public MongoCacheBuilder databases(com.mongodb.client.MongoClient client) {
        if (client == null) {
            throw new IllegalArgumentException("databases: the client must not be null");
        }
        return databases(client::getDatabase);
    }

    /**
     * The time source for expiry, in nanoseconds from an arbitrary origin, for tests that drive time (like
     * {@code Coordinator.Builder.nanoClock}). Default {@link System#nanoTime()}.
     *
     * @throws IllegalArgumentException if null
     */
    public MongoCacheBuilder nanoClock(java.util.function.LongSupplier clock) {
        if (clock == null) {
            throw new IllegalArgumentException("nanoClock must not be null");
        }
        this.nanoClock = clock;
        return this;
    }

    /**
     * Validates the whole configuration and builds the cache. A Redis that is down at this point does not fail
     * the build: the cache starts local-only and connects when Redis answers.
     *
     * @throws IllegalArgumentException if the settings contradict each other
     */
    public MongoCache build() {
        if (maxLocalBytes > 0 && maxResultBytes > maxLocalBytes) {
            throw new IllegalArgumentException("maxResultBytes (" + maxResultBytes
                    + ") must be <= maxLocalBytes (" + maxLocalBytes + ") when the local tier is on");
        }
        return DefaultMongoCache.start(new MongoCacheConfig(this));
    }

    /** Lettuce's own parse finds something to connect to (it throws on what it cannot parse). */
    private static boolean lettuceAccepts(String uri) {
        RedisURI parsed = RedisURI.create(uri);
        return parsed.getHost() != null || parsed.getSocket() != null || !parsed.getSentinels().isEmpty();
    }

    private void requireRedisUnset() {
        if (redisMode != MongoCacheConfig.RedisMode.NONE) {
            throw new IllegalArgumentException("redis: the shared tier was already set to " + redisMode + " "
                    + redisUris.stream().map(Masking::connectionString).toList());
        }
    }


}

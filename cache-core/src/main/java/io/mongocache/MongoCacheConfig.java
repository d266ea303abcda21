package io.mongocache;

import com.mongodb.annotations.Immutable;
import io.mongocache.common.Masking;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration of a {@link MongoCache}: an immutable value built by {@link MongoCacheBuilder}, which
 * documents every default and validates every setting.
 */
@Immutable
public final class MongoCacheConfig {

    /** How the shared tier is reached. */
    public enum RedisMode {
        /** No shared tier: L1 only. */
        NONE,
        /** One Redis server (or a server behind a proxy). */
        STANDALONE,
        /** A Redis Cluster, reached through one or more seed nodes. */
        CLUSTER
    }

    private final RedisMode redisMode;
    private final List<String> redisUris;
    private final long maxLocalBytes;
    private final Duration defaultTtl;
    private final long maxResultBytes;
    private final Duration redisTimeout;
    private final Duration redisRetryInterval;
    private final String keyPrefix;
    private final java.util.function.LongSupplier nanoClock;
    private final Duration maxStaleness;
    private final boolean preciseInvalidation;
    private final InvalidationMode invalidationMode;
    private final double ttlJitter;
    private final double refreshAhead;
    private final int maxTrackedNamespaces;
    private final java.util.function.@org.jspecify.annotations.Nullable Function<String, com.mongodb.client.MongoDatabase>
            databases;

    MongoCacheConfig(MongoCacheBuilder b) {
        this.redisMode = b.redisMode;
        this.redisUris = List.copyOf(b.redisUris);
        this.maxLocalBytes = b.maxLocalBytes;
        this.defaultTtl = b.defaultTtl;
        this.maxResultBytes = b.maxResultBytes;
        this.redisTimeout = b.redisTimeout;
        this.redisRetryInterval = b.redisRetryInterval;
        this.keyPrefix = b.keyPrefix;
        this.nanoClock = b.nanoClock;
        this.maxStaleness = b.maxStaleness;
        this.preciseInvalidation = b.preciseInvalidation;
        this.invalidationMode = b.invalidationMode;
        this.ttlJitter = b.ttlJitter;
        this.refreshAhead = b.refreshAhead;
        this.maxTrackedNamespaces = b.maxTrackedNamespaces;
        this.databases = b.databases;
    }

    /** Whether and how Redis is used as the shared tier. Default {@link RedisMode#NONE}. */
    public RedisMode redisMode() {
        return redisMode;
    }

    /** The Redis URI(s), credentials included: never log these, use {@link #toString()}. */
    public List<String> redisUris() {
        return redisUris;
    }

    /** Upper bound of the local tier in bytes of cached BSON. Default 64 MiB; 0 turns the local tier off. */
    public long maxLocalBytes() {
        return maxLocalBytes;
    }

    /** How long a cached result lives unless the query says otherwise. Default 5 minutes. */
    public Duration defaultTtl() {
        return defaultTtl;
    }

    /** Results larger than this many bytes are streamed from MongoDB and not cached. Default 1 MiB. */
    public long maxResultBytes() {
        return maxResultBytes;
    }

    /** How long one Redis command may take before the call falls through to MongoDB. Default 500 ms. */
    public Duration redisTimeout() {
        return redisTimeout;
    }

    /** After a Redis fault, how often the cache probes Redis before using it again. Default 1 s. */
    public Duration redisRetryInterval() {
        return redisRetryInterval;
    }

    /** Prefix of every Redis key this cache writes. Default {@code "mc"}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The time source for expiry, in nanoseconds. Default {@link System#nanoTime()}. */
    public java.util.function.LongSupplier nanoClock() {
        return nanoClock;
    }

    /**
     * How stale another node's write may leave this node's local tier: after a write is acknowledged anywhere,
     * every node stops serving the older result within this bound, even when invalidation messages are lost.
     * Default 2 s. Only meaningful with Redis.
     */
    public Duration maxStaleness() {
        return maxStaleness;
    }

    /**
     * Whether writes by {@code _id} invalidate only point reads of those ids. Default true; false invalidates whole
     * namespaces.
     */
    public boolean preciseInvalidation() {
        return preciseInvalidation;
    }

    /** When writes tell Redis and the other nodes what they changed. Default {@link InvalidationMode#SYNC}. */
    public InvalidationMode invalidationMode() {
        return invalidationMode;
    }

    /** The largest random fraction by which an entry's lifetime is shortened. Default 0.05. */
    public double ttlJitter() {
        return ttlJitter;
    }

    /** Hits in the last this-fraction of an entry's life reload it in the background. Default 0 (off). */
    public double refreshAhead() {
        return refreshAhead;
    }

    /** How many namespaces {@code stats()} reports one by one. Default 1,000. */
    public int maxTrackedNamespaces() {
        return maxTrackedNamespaces;
    }

    /** The router of {@code CachedCollection.db(name)}, or null if none was configured. */
    public java.util.function.@org.jspecify.annotations.Nullable Function<String, com.mongodb.client.MongoDatabase>
            databases() {
        return databases;
    }

    @Override
    public String toString() {
        return "MongoCacheConfig{redisMode=" + redisMode
                + ", redisUris=" + redisUris.stream().map(Masking::connectionString).collect(Collectors.toList())
                + ", maxLocalBytes=" + maxLocalBytes
                + ", defaultTtl=" + defaultTtl
                + ", maxResultBytes=" + maxResultBytes
                + ", redisTimeout=" + redisTimeout
                + ", redisRetryInterval=" + redisRetryInterval
                + ", keyPrefix=" + keyPrefix
                + ", maxStaleness=" + maxStaleness
                + ", preciseInvalidation=" + preciseInvalidation
                + ", invalidationMode=" + invalidationMode
                + ", ttlJitter=" + ttlJitter
                + ", refreshAhead=" + refreshAhead
                + ", maxTrackedNamespaces=" + maxTrackedNamespaces + '}';
    }
}

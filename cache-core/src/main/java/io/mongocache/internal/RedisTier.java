package io.mongocache.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.mongocache.MongoCacheConfig;
import io.mongocache.spi.Invalidation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier in Redis (standalone or Cluster).
 *
 * <p>Layout. Per namespace {@code ns} (the hash tag keeps one namespace's keys in one Cluster slot), plus one
 * global key:
 * <pre>
 *   {prefix}:era                 the era token: replaced to flush every entry of every namespace
 *   {prefix}:{ns}:t              the namespace token (namespace-wide writes)
 *   {prefix}:{ns}:a              the any-document token (every write)
 *   {prefix}:{ns}:s:{stripe}     one token per id stripe (writes to documents of that stripe)
 *   {prefix}:{ns}:e:{digest}     [n][the n tokens the entry was stamped with, 8 bytes each][payload], PX = TTL
 * </pre>
 * Tokens are 8 random bytes. A lookup is one {@code MGET} of the era, the entry's dependency tokens and the entry;
 * the entry is served only if every token it was stamped with is still current. A write replaces the tokens of
 * what it changed, so every older entry — and every install still in flight from a load that started before the
 * write — is dead at once. Tokens are random rather than counters so that a token lost to a restart or to
 * eviction can never come back with a value an old entry carries; a missing token is created (SET NX) on read.
 *
 * <p>Concurrency: thread-safe; Lettuce multiplexes one connection. Invalidations and channel messages are
 * submitted under one lock so that, on a standalone Redis, a message is always processed after the token
 * replacement it announces (one round trip for both); on a Cluster the message is sent after the replacement is
 * acknowledged. Failure modes: any Redis error or timeout marks the tier unavailable (callers skip it, never
 * wait for it) and a probe runs every {@code redisRetryInterval}. An invalidation that could not be written is
 * kept and this node does not use the affected entries until it is. When Redis answers again the probe replays
 * those invalidations, replaces the era token (entries written before the outage may be stale: a write made
 * elsewhere during it could not be recorded) and tells the cache to flush its local tier.
 */
final class RedisTier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
    private static final int TOKEN_BYTES = 8;

    record Lookup(byte @Nullable [] payload, byte[][] tokens) {}

    private final MongoCacheConfig config;
    private final StatsRegistry stats;
    private final ScheduledExecutorService scheduler;
    private final AbstractRedisClient client;
    private final String maskedUris;
    private final byte[] eraKey;
    private final Set<Invalidation> pendingInvalidations = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean probeScheduled = new AtomicBoolean();
    private final Object publishLock = new Object();
    private volatile Runnable onRecovery = () -> { };
    private volatile @Nullable StatefulConnection<byte[], byte[]> connection;
    private volatile @Nullable RedisClusterCommands<byte[], byte[]> sync;
    private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> async;
    private volatile boolean healthy;
    private volatile boolean closed;
    private volatile boolean connectFailureLogged;

    RedisTier(MongoCacheConfig config, StatsRegistry stats, ScheduledExecutorService scheduler) {
        this.config = config;
        this.stats = stats;
        this.scheduler = scheduler;
        this.maskedUris = config.redisUris().stream().map(Redaction::maskUri).toList().toString();
        this.eraKey = (config.keyPrefix() + ":era").getBytes(StandardCharsets.UTF_8);
        Duration timeout = config.redisTimeout();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).build();
        if (config.redisMode() == MongoCacheConfig.RedisMode.CLUSTER) {
            List<RedisURI> seeds = new ArrayList<>();
            for (String uri : config.redisUris()) {
                seeds.add(withTimeout(uri, timeout));
            }
            RedisClusterClient cluster = RedisClusterClient.create(seeds);
            // Cluster node connections open on first use: rejecting commands while disconnected would fail
            // the first command to every node. Queued commands are still bounded by the command timeout.
            cluster.setOptions(ClusterClientOptions.builder()
                    .protocolVersion(ProtocolVersion.RESP2)
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            this.client = cluster;
        } else {
            RedisClient standalone = RedisClient.create(withTimeout(config.redisUris().get(0), timeout));
            // RESP2: nothing here relies on RESP3 features, and plain frames keep fault-injecting proxies simple.
            standalone.setOptions(ClientOptions.builder()
                    .protocolVersion(ProtocolVersion.RESP2)
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
            this.client = standalone;
        }
        if (!connect()) {
            scheduleProbe();
        }
    }

    private static RedisURI withTimeout(String uri, Duration timeout) {
        RedisURI parsed = RedisURI.create(uri);
        parsed.setTimeout(timeout);
        return parsed;
    }

    /** The client, for the channel's subscriber connection. */
    AbstractRedisClient client() {
        return client;
    }

    boolean isCluster() {
        return client instanceof RedisClusterClient;
    }

    /** Called (on the scheduler) after Redis answers again following a fault. */
    void onRecovery(Runnable action) {
        this.onRecovery = action;
    }

    private boolean connect() {
        try {
            if (client instanceof RedisClusterClient cluster) {
                StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                sync = c.sync();
                async = c.async();
            } else {
                StatefulRedisConnection<byte[], byte[]> c = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
                connection = c;
                sync = c.sync();
                async = c.async();
            }
            healthy = true;
            connectFailureLogged = false;
            LOG.info("mongocache: shared tier connected to Redis {}", maskedUris);
            return true;
        } catch (RuntimeException e) {
            stats.redisErrors.increment();
            // Once per outage: the probe retries every redisRetryInterval.
            if (!connectFailureLogged) {
                connectFailureLogged = true;
                LOG.warn("mongocache: Redis {} unavailable ({}); serving from MongoDB until it answers",
                        maskedUris, e.getClass().getSimpleName());
            }
            return false;
        }
    }

    /** True when Redis answered its last command. */
    boolean available() {
        return healthy && !closed;
    }

    private boolean usable(CacheKey key) {
        if (!healthy || closed) {
            return false;
        }
        if (!pendingInvalidations.isEmpty()) {
            for (Invalidation pending : pendingInvalidations) {
                if (pending.kind() == Invalidation.Kind.EVERYTHING) {
                    return false;
                }
                for (Dependency d : key.dependencies()) {
                    if (d.namespace().equals(pending.namespace())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private byte[] tokenKey(Dependency d) {
        String suffix = switch (d.slot()) {
            case Dependency.NAMESPACE -> "t";
            case Dependency.ANY -> "a";
            default -> "s:" + d.slot();
        };
        return (config.keyPrefix() + ":{" + d.namespace() + "}:" + suffix).getBytes(StandardCharsets.UTF_8);
    }

    byte[] entryKey(CacheKey key) {
        return (config.keyPrefix() + ":{" + key.namespace() + "}:e:" + key.digest()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Looks a key up. Returns null when Redis must not be used now (down, or this node owes it an invalidation);
     * otherwise the current tokens of the era and of every dependency (created where missing) and the payload
     * if a current entry exists.
     */
    @Nullable Lookup lookup(CacheKey key, StatsRegistry.Counters counters) {
        Dependency[] deps = key.dependencies();
        RedisClusterCommands<byte[], byte[]> commands = sync;
        if (commands == null || !usable(key)) {
            return null;
        }
        try {
            byte[][] keys = new byte[deps.length + 2][];
            keys[0] = eraKey;
            for (int i = 0; i < deps.length; i++) {
                keys[i + 1] = tokenKey(deps[i]);
            }
            keys[deps.length + 1] = entryKey(key);
            List<KeyValue<byte[], byte[]>> values = commands.mget(keys);
            byte[][] tokens = new byte[deps.length + 1][];
            for (int i = 0; i <= deps.length; i++) {
                KeyValue<byte[], byte[]> kv = values.get(i);
                tokens[i] = kv.hasValue() ? kv.getValue() : createToken(commands, keys[i]);
            }
            KeyValue<byte[], byte[]> entry = values.get(deps.length + 1);
            byte[] payload = entry.hasValue() ? currentPayload(entry.getValue(), tokens) : null;
            return new Lookup(payload, tokens);
        } catch (RuntimeException e) {
            counters.l2Errors.increment();
            fault(e);
            return null;
        }
    }

    private static byte[] createToken(RedisClusterCommands<byte[], byte[]> commands, byte[] tokenKey) {
        byte[] fresh = randomToken();
        byte[] previous = commands.setGet(tokenKey, fresh, SetArgs.Builder.nx());
        return previous != null ? previous : fresh;
    }

    private static byte @Nullable [] currentPayload(byte[] stored, byte[][] tokens) {
        if (stored.length < 1 || (stored[0] & 0xff) != tokens.length) {
            return null;
        }
        int header = 1 + tokens.length * TOKEN_BYTES;
        if (stored.length < header) {
            return null;
        }
        for (int i = 0; i < tokens.length; i++) {
            if (!Arrays.equals(stored, 1 + i * TOKEN_BYTES, 1 + (i + 1) * TOKEN_BYTES,
                    tokens[i], 0, tokens[i].length)) {
                return null;
            }
        }
        return Arrays.copyOfRange(stored, header, stored.length);
    }

    /** Stores a payload stamped with the tokens read before its load; fire and forget. */
    void install(CacheKey key, byte[][] tokens, byte[] payload, long ttlMillis, StatsRegistry.Counters counters) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || !usable(key) || tokens.length > 255) {
            return;
        }
        ByteBuffer value = ByteBuffer.allocate(1 + tokens.length * TOKEN_BYTES + payload.length);
        value.put((byte) tokens.length);
        for (byte[] t : tokens) {
            value.put(t, 0, TOKEN_BYTES);
        }
        value.put(payload);
        try {
            commands.set(entryKey(key), value.array(), SetArgs.Builder.px(Math.max(1, ttlMillis)))
                    .whenComplete((ok, error) -> {
                        if (error != null) {
                            counters.l2Errors.increment();
                            fault(error);
                        }
                    });
        } catch (RuntimeException e) {
            counters.l2Errors.increment();
            fault(e);
        }
    }

    private Map<byte[], byte[]> freshTokens(Invalidation invalidation) {
        Map<byte[], byte[]> tokens = new LinkedHashMap<>();
        switch (invalidation.kind()) {
            case NAMESPACE -> tokens.put(tokenKey(new Dependency(invalidation.namespace(), Dependency.NAMESPACE)),
                    randomToken());
            case DOCUMENTS -> {
                tokens.put(tokenKey(new Dependency(invalidation.namespace(), Dependency.ANY)), randomToken());
                for (int stripe : invalidation.stripes()) {
                    tokens.put(tokenKey(new Dependency(invalidation.namespace(), stripe)), randomToken());
                }
            }
            case EVERYTHING -> tokens.put(eraKey, randomToken());
        }
        return tokens;
    }

    /**
     * Replaces the tokens of what a write changed, then publishes {@code message} (if any) to {@code channel}.
     * On failure the invalidation is remembered: this node stops using the affected entries until the
     * replacement succeeds (the message is then not sent: receivers detect the gap).
     *
     * @return whether Redis acknowledged the replacement
     */
    boolean invalidate(Invalidation invalidation, byte @Nullable [] channel, @Nullable Supplier<byte[]> message) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed || !healthy) {
            pendingInvalidations.add(invalidation);
            return false;
        }
        try {
            RedisFuture<String> replaced;
            RedisFuture<Long> published = null;
            boolean cluster = isCluster();
            synchronized (publishLock) {
                replaced = commands.mset(freshTokens(invalidation));
                if (!cluster && channel != null && message != null) {
                    // Same connection, same server: Redis processes the publish after the replacement.
                    published = commands.publish(channel, message.get());
                }
            }
            await(replaced);
            if (cluster && channel != null && message != null) {
                synchronized (publishLock) {
                    published = commands.spublish(channel, message.get());
                }
            }
            if (published != null) {
                await(published);
            }
            return true;
        } catch (RuntimeException e) {
            stats.of(invalidation.namespace()).l2Errors.increment();
            pendingInvalidations.add(invalidation);
            fault(e);
            return false;
        }
    }

    /** Publishes a message in order with the invalidations' messages. Returns false if Redis did not take it. */
    boolean publish(byte[] channel, Supplier<byte[]> message) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed || !healthy) {
            return false;
        }
        try {
            RedisFuture<Long> published;
            synchronized (publishLock) {
                published = isCluster() ? commands.spublish(channel, message.get())
                        : commands.publish(channel, message.get());
            }
            await(published);
            return true;
        } catch (RuntimeException e) {
            fault(e);
            return false;
        }
    }

    private <V> V await(RedisFuture<V> future) {
        try {
            return future.get(config.redisTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while waiting for Redis");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new RedisException("Redis command failed: " + e.getCause().getClass().getSimpleName());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RedisException("Redis command timed out after " + config.redisTimeout());
        }
    }

    /** Records a fault seen by a caller (the channel), so the tier stops being used and a probe runs. */
    void fault(Throwable error) {
        if (closed) {
            return;
        }
        stats.redisErrors.increment();
        if (healthy) {
            healthy = false;
            LOG.warn("mongocache: Redis {} failed ({}); falling through to MongoDB and probing every {}",
                    maskedUris, error, config.redisRetryInterval());
        }
        scheduleProbe();
    }

    private void scheduleProbe() {
        if (closed || !probeScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.schedule(this::probe, config.redisRetryInterval().toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            probeScheduled.set(false);
        }
    }

    private void probe() {
        probeScheduled.set(false);
        if (closed) {
            return;
        }
        if (connection == null && !connect()) {
            healthy = false;
            scheduleProbe();
            return;
        }
        RedisClusterCommands<byte[], byte[]> commands = sync;
        try {
            if (commands == null) {
                throw new IllegalStateException("not connected");
            }
            commands.ping();
            List<Invalidation> pending = new ArrayList<>(pendingInvalidations);
            Map<byte[], byte[]> tokens = new LinkedHashMap<>();
            for (Invalidation invalidation : pending) {
                tokens.putAll(freshTokens(invalidation));
            }
            // Entries written before the outage may be stale: writes made elsewhere during it may not have
            // reached Redis. Replacing the era token retires all of them at once.
            tokens.put(eraKey, randomToken());
            commands.mset(tokens);
            pending.forEach(pendingInvalidations::remove);
            onRecovery.run();
            healthy = true;
            LOG.info("mongocache: Redis {} answers again; shared tier back in use", maskedUris);
        } catch (RuntimeException e) {
            stats.redisErrors.increment();
            healthy = false;
            scheduleProbe();
        }
    }

    static byte[] randomToken() {
        byte[] token = new byte[TOKEN_BYTES];
        ThreadLocalRandom.current().nextBytes(token);
        return token;
    }

    @Override
    public void close() {
        closed = true;
        healthy = false;
        StatefulConnection<byte[], byte[]> c = connection;
        try {
            if (c != null) {
                c.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: closing the Redis connection failed", e);
        }
        try {
            client.shutdown(0, config.redisTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.debug("mongocache: shutting the Redis client down failed", e);
        }
    }
}

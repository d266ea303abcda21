package io.mongocache.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier in Redis (standalone or Cluster).
 *
 * <p>Layout, per namespace {@code ns} (the hash tag keeps one namespace's keys in one Cluster slot):
 * <pre>
 *   {prefix}:{ns}:t            8 random bytes: the namespace's current token
 *   {prefix}:{ns}:e:{digest}   [n][token of each dependency, 8 bytes each][payload]   PX = the entry's TTL
 * </pre>
 * A lookup is one {@code MGET} of the tokens and the entry; the entry is served only if every token it was
 * stamped with is still the current one. A write replaces the token with a fresh random one, so every older
 * entry — and every install still in flight from a load that started before the write — is dead at once.
 * Tokens are random rather than counters so that a token key lost to a restart or to eviction can never come
 * back with a value an old entry carries.
 *
 * <p>Concurrency: thread-safe; Lettuce multiplexes one connection. Failure modes: any Redis error or timeout
 * marks the tier unavailable (callers skip it, never wait for it) and a probe runs every
 * {@code redisRetryInterval} until Redis answers. A namespace whose token could not be replaced is remembered
 * and this node does not use its Redis entries until the replacement succeeds on recovery.
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
    private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean probeScheduled = new AtomicBoolean();
    private volatile @Nullable StatefulConnection<byte[], byte[]> connection;
    private volatile @Nullable RedisClusterCommands<byte[], byte[]> sync;
    private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> async;
    private volatile boolean healthy;
    private volatile boolean closed;

    RedisTier(MongoCacheConfig config, StatsRegistry stats, ScheduledExecutorService scheduler) {
        this.config = config;
        this.stats = stats;
        this.scheduler = scheduler;
        this.maskedUris = config.redisUris().stream().map(Redaction::maskUri).toList().toString();
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
            standalone.setOptions(ClientOptions.builder()
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
            LOG.info("mongocache: shared tier connected to Redis {}", maskedUris);
            return true;
        } catch (RuntimeException e) {
            stats.redisErrors.increment();
            LOG.warn("mongocache: Redis {} unavailable ({}); serving from L1 and MongoDB until it answers",
                    maskedUris, e.getClass().getSimpleName());
            return false;
        }
    }

    /** True when Redis answered its last command and no invalidation is waiting to be replayed. */
    boolean available() {
        return healthy && !closed;
    }

    private boolean usable(String[] namespaces) {
        if (!healthy || closed) {
            return false;
        }
        if (!pendingInvalidations.isEmpty()) {
            for (String ns : namespaces) {
                if (pendingInvalidations.contains(ns)) {
                    return false;
                }
            }
        }
        return true;
    }

    byte[] tokenKey(String namespace) {
        return (config.keyPrefix() + ":{" + namespace + "}:t").getBytes(StandardCharsets.UTF_8);
    }

    byte[] entryKey(CacheKey key) {
        return (config.keyPrefix() + ":{" + key.namespace() + "}:e:" + key.digest()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Looks a key up. Returns null when Redis must not be used now (down, or this node owes it an invalidation);
     * otherwise the current tokens of every dependency (created where missing) and the payload if a current
     * entry exists.
     */
    @Nullable Lookup lookup(CacheKey key, StatsRegistry.Counters counters) {
        String[] deps = key.dependencies();
        RedisClusterCommands<byte[], byte[]> commands = sync;
        if (commands == null || !usable(deps)) {
            return null;
        }
        try {
            byte[][] keys = new byte[deps.length + 1][];
            for (int i = 0; i < deps.length; i++) {
                keys[i] = tokenKey(deps[i]);
            }
            keys[deps.length] = entryKey(key);
            List<KeyValue<byte[], byte[]>> values = commands.mget(keys);
            byte[][] tokens = new byte[deps.length][];
            for (int i = 0; i < deps.length; i++) {
                KeyValue<byte[], byte[]> kv = values.get(i);
                tokens[i] = kv.hasValue() ? kv.getValue() : createToken(commands, keys[i]);
            }
            KeyValue<byte[], byte[]> entry = values.get(deps.length);
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
            if (!java.util.Arrays.equals(stored, 1 + i * TOKEN_BYTES, 1 + (i + 1) * TOKEN_BYTES,
                    tokens[i], 0, tokens[i].length)) {
                return null;
            }
        }
        return java.util.Arrays.copyOfRange(stored, header, stored.length);
    }

    /** Stores a payload stamped with the tokens read before its load; fire and forget. */
    void install(CacheKey key, byte[][] tokens, byte[] payload, long ttlMillis, StatsRegistry.Counters counters) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || !usable(key.dependencies()) || tokens.length > 255) {
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

    /**
     * Replaces the tokens of the namespaces, so every entry stamped with the old ones is dead. On failure the
     * namespaces are remembered: this node stops using their entries until the replacement succeeds.
     *
     * @return whether Redis acknowledged the replacement
     */
    boolean invalidate(String... namespaces) {
        RedisClusterCommands<byte[], byte[]> commands = sync;
        if (commands == null || closed || !healthy) {
            rememberPending(namespaces);
            return false;
        }
        try {
            Map<byte[], byte[]> tokens = new LinkedHashMap<>();
            for (String ns : namespaces) {
                tokens.put(tokenKey(ns), randomToken());
            }
            commands.mset(tokens);
            return true;
        } catch (RuntimeException e) {
            for (String ns : namespaces) {
                stats.of(ns).l2Errors.increment();
            }
            rememberPending(namespaces);
            fault(e);
            return false;
        }
    }

    private void rememberPending(String[] namespaces) {
        for (String ns : namespaces) {
            pendingInvalidations.add(ns);
        }
    }

    private void fault(Throwable error) {
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
            List<String> pending = new ArrayList<>(pendingInvalidations);
            if (!pending.isEmpty()) {
                Map<byte[], byte[]> tokens = new LinkedHashMap<>();
                for (String ns : pending) {
                    tokens.put(tokenKey(ns), randomToken());
                }
                commands.mset(tokens);
                pending.forEach(pendingInvalidations::remove);
            }
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

package io.mongocache.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
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
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.mongocache.InvalidationMode;
import io.mongocache.MongoCacheConfig;
import io.mongocache.NamespaceStats;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.common.Masking;
import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.DocumentId;
import io.mongocache.invalidation.Invalidation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
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
 *   {prefix}:era                 the era token: deleted to retire every entry of every namespace
 *   {prefix}:{ns}:t              the namespace token (namespace-wide writes)          PX ≥ the longest entry on it
 *   {prefix}:{ns}:a              the any-document token (every write)                 PX ≥ the longest entry on it
 *   {prefix}:{ns}:i:{id}         one token per document id (canonical id bytes)       PX ≥ the longest entry on it
 *   {prefix}:{ns}:e:{digest}     [n][the n tokens the entry was stamped with, 8 bytes each][payload], PX = TTL
 * </pre>
 * Tokens are 8 random bytes; an entry carries the era's first, then its dependencies' in order. A write replaces the
 * tokens of what it changed with fresh ones; a lookup creates the missing ones. Tokens are random rather than counters
 * so that a token lost to a delete, an expiry, a restart or an eviction can never come back with a value an old entry
 * carries: a missing token only ever causes misses.
 *
 * <p>Algorithm. Commands that go together (a lookup's, an install's, a sender batch's) are written with one flush
 * ({@link RedisBatch}). A lookup is one pipelined round trip of native commands, no script: {@code SET NX GET} of the
 * era and of every token the key depends on (reading each, creating the missing ones; the era never expires, the others
 * with the entry), then {@code GET} and {@code PTTL} of the entry. The entry is served only if every token it carries
 * equals the one just read; Redis runs the commands in order, so this check needs no atomicity. After a MongoDB load
 * the result is installed with plain commands sent without waiting: {@code SET} of the entry stamped with the tokens
 * read before the load, and {@code PEXPIRE … GT} of its tokens to the entry's TTL. No check-and-set is needed: an
 * install that raced a write carries a token the write replaced, so no lookup ever serves it. A write replaces its
 * tokens and then publishes its channel message: in one round trip on a standalone Redis (a script; for "everything",
 * the era's deletion and the message pipelined on one connection), on a Cluster once the tokens are acknowledged —
 * waiting for Redis ({@link InvalidationMode#SYNC}) — or hands both to a background sender that batches them in write
 * order and publishes a batch's messages as one bundle ({@link InvalidationMode#ASYNC}, {@link Bundler}); until Redis
 * took them, this node skips the Redis entries that depend on them.
 * Once it has, the fresh tokens are reported to the local versions ({@link TokenMemo}): this node's next read of what
 * it wrote skips the lookup (no entry can be current yet) and installs with the remembered tokens.
 *
 * <p>Concurrency: thread-safe; Lettuce multiplexes one connection and keeps its commands in order. Nothing runs on
 * another thread before {@link #start()} (the asynchronous sender, the probe). Token replacements and channel messages
 * are submitted under one lock so that, on a standalone Redis, a message is always processed after the replacement it
 * announces; on a Cluster the message is sent after the replacement is acknowledged. Failure modes: any Redis error or
 * timeout marks the tier unavailable (callers skip it, never wait for it) and a probe runs every
 * {@code redisRetryInterval}. An invalidation that could not be written is kept (bounded: past {@value #MAX_PENDING}
 * it collapses into one that retires everything) and this node does not use Redis until it is written. When Redis
 * answers again the probe replays those invalidations, deletes the era token (entries written before the outage may
 * be stale: a write made elsewhere during it could not be recorded) and tells the cache to flush its local tier.
 *
 * <p>Why one class of this size: lookups, installs, token replacements, messages, the asynchronous sender and the
 * outage state machine share one connection, one lock that orders replacements before the messages announcing them,
 * and one health flag whose transitions (fault, probe, replay, era retirement) every path must see. Split apart,
 * each piece would need those three back and the ordering rule would live in several places; the pure rules are
 * tested on their own instead ({@code RedisTierLayoutTest}: the entry layout and what a pending write blocks).
 */
final class RedisTier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
    private static final int TOKEN_BYTES = 8;
    static final int MAX_PENDING = 10_000;
    /** Invalidations and heartbeats one asynchronous batch sends at most. */
    private static final int BATCH = 256;

    /**
     * A write on a standalone Redis, as one command. KEYS: the token keys. ARGV: a fresh token per key, their
     * expiry (ms), then optionally the channel and the message, published after the tokens are replaced.
     */
    private static final String WRITE_SCRIPT = """
            local n = #KEYS
            for i = 1, n do
              redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[n + 1])
            end
            if ARGV[n + 2] then
              redis.call('PUBLISH', ARGV[n + 2], ARGV[n + 3])
            end
            return n
            """;

    private static final byte[] WRITE_BYTES = WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8);

    /**
     * What a lookup found: the entry's payload if it is current, the tokens to install with, and how long the
     * entry has left in Redis in milliseconds (0 or less: unknown), so that a hit copied to the local tier does
     * not outlive it.
     */
    record Lookup(byte @Nullable [] payload, byte[][] tokens, long remainingMillis) {}

    /** A message or invalidation waiting for the asynchronous sender. */
    private record Outgoing(@Nullable Invalidation invalidation, byte @Nullable [] channel,
            @Nullable Supplier<byte[]> message, long enqueuedNanos) {}

    /** Tells the sender to send what is queued before it, then stop. */
    private static final Outgoing LAST = new Outgoing(null, null, null, 0);

    private final MongoCacheConfig config;
    private final StatsRegistry stats;
    private final ScheduledExecutorService scheduler;
    private final AbstractRedisClient client;
    /** Event loops and timers of this tier's client, shared with other modules through {@code CacheHooks}. */
    private final ClientResources resources;
    private final String maskedUris;
    private final byte[] eraKey;
    private final boolean cluster;
    private final String writeDigest;
    private final byte[] tokenExpiryMillis;
    private final List<Invalidation> pendingInvalidations = new ArrayList<>();
    private final AsyncPending inFlight = new AsyncPending();
    private final @Nullable BlockingQueue<Outgoing> outgoing;
    private final long heartbeatQueueLimitNanos;
    private final AtomicBoolean probeScheduled = new AtomicBoolean();
    private final Object publishLock = new Object();
    private volatile Runnable onRecovery = () -> { };
    private volatile TokenMemo memo = (d, t) -> { };
    private volatile @Nullable Bundler bundler;
    private final SetArgs tokenExpiry;
    private volatile @Nullable StatefulConnection<byte[], byte[]> connection;
    private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> async;
    private volatile @Nullable Thread sender;
    private volatile boolean healthy;
    private volatile boolean closed;
    private volatile boolean connectFailureLogged;
    /** Why Redis is not in use, in the server's words (credentials masked); null until something failed. */
    private volatile @Nullable String problem;
    /** Whether {@link #problem} is a configuration error (credentials, database index) rather than an outage. */
    private volatile boolean problemIsConfiguration;

    RedisTier(MongoCacheConfig config, StatsRegistry stats, ScheduledExecutorService scheduler) {
        this.config = config;
        this.stats = stats;
        this.scheduler = scheduler;
        this.maskedUris = config.redisUris().stream().map(Masking::connectionString).toList().toString();
        this.eraKey = (config.keyPrefix() + ":era").getBytes(StandardCharsets.UTF_8);
        this.cluster = config.redisMode() == MongoCacheConfig.RedisMode.CLUSTER;
        this.writeDigest = sha1(WRITE_SCRIPT);
        this.tokenExpiryMillis = Long.toString(Math.max(1, config.defaultTtl().toMillis()))
                .getBytes(StandardCharsets.US_ASCII);
        this.heartbeatQueueLimitNanos = InvalidationChannel.asyncSendBound(config.maxStaleness()).toNanos();
        this.tokenExpiry = SetArgs.Builder.px(Math.max(1, config.defaultTtl().toMillis()));
        Duration timeout = config.redisTimeout();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).build();
        this.resources = DefaultClientResources.create();
        if (cluster) {
            List<RedisURI> seeds = new ArrayList<>();
            for (String uri : config.redisUris()) {
                seeds.add(withTimeout(uri, timeout));
            }
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
            // Cluster node connections open on first use: rejecting commands while disconnected would fail
            // the first command to every node. Queued commands are still bounded by the command timeout.
            clusterClient.setOptions(ClusterClientOptions.builder()
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
            this.client = clusterClient;
        } else {
            RedisClient standalone = RedisClient.create(resources, withTimeout(config.redisUris().get(0), timeout));
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
        if (config.invalidationMode() == InvalidationMode.ASYNC) {
            this.outgoing = new LinkedBlockingQueue<>();
            Thread t = DaemonThreadFactory.named("mongocache-invalidation-sender").newThread(this::sendLoop);
            this.sender = t; // started by start()
        } else {
            this.outgoing = null;
        }
        if (connect()) {
            // Redis answered at build: nothing was missed yet, so the tier serves at once.
            healthy = true;
        } else if (problemIsConfiguration) {
            // Wrong credentials or database index: no retry will cure that, and a cache that quietly runs without
            // its shared tier is a typo nobody notices. Fail the build with the server's reason.
            String why = problem;
            closeQuietly();
            throw new io.mongocache.MongoCacheConfigurationException("redis: Redis " + maskedUris + " refused the "
                    + "settings: " + why + " (check the credentials and the database index of the URI)", null);
        }
    }

    /**
     * Starts the background work — the asynchronous sender, and the probe if Redis did not answer at build — once the
     * owner has set its callbacks ({@link #onRecovery}, {@link #tokenMemo}): nothing runs on another thread before.
     */
    void start() {
        Thread t = sender;
        if (t != null) {
            t.start();
        }
        if (!healthy) {
            scheduleProbe();
        }
    }

    /** Shuts the event loops down and waits for them (a closed cache leaves no Lettuce thread behind). */
    private static void shutDown(ClientResources resources, long timeoutMillis) {
        try {
            java.util.concurrent.Future<Boolean> done = resources.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS);
            done.get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("mongocache: the Redis client resources did not shut down in time", e);
        }
    }

    /** The client resources this tier's client runs on (other modules' clients share them). */
    ClientResources resources() {
        return resources;
    }

    /** Why Redis is not in use (the server's or the socket's words), or null while it is. */
    @Nullable String problem() {
        return healthy ? null : problem;
    }

    private void closeQuietly() {
        closed = true;
        try {
            Thread t = sender;
            if (t != null) {
                t.interrupt();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            shutDown(resources, 1_000);
        } catch (RuntimeException e) {
            LOG.debug("mongocache: closing the Redis client after a refused build failed", e);
        }
    }

    private static RedisURI withTimeout(String uri, Duration timeout) {
        RedisURI parsed = RedisURI.create(uri);
        parsed.setTimeout(timeout);
        return parsed;
    }

    private static String sha1(String script) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    /** The client, for the channel's subscriber connection. */
    AbstractRedisClient client() {
        return client;
    }

    boolean isCluster() {
        return cluster;
    }

    /** Where the fresh tokens of this node's writes are reported. */
    void tokenMemo(TokenMemo memo) {
        this.memo = memo;
    }

    /**
     * Combines messages to one channel into one, so that the asynchronous sender publishes a batch's messages once
     * (every subscriber then receives one message instead of many); see {@link InvalidationChannel#bundle}.
     */
    interface Bundler {
        /** The channel whose messages may be bundled. */
        byte[] channel();

        /** Two or more messages, in order, as one. */
        byte[] bundle(List<byte[]> messages);
    }

    /** Lets the asynchronous sender bundle what it publishes to the bundler's channel. */
    void bundler(Bundler bundler) {
        this.bundler = bundler;
    }

    /** Whether this key may use Redis now: a read that may not must neither look up nor install. */
    boolean usableFor(CacheKey key) {
        return usable(key);
    }

    /** Called (on the scheduler) after Redis answers again following a fault. */
    void onRecovery(Runnable action) {
        this.onRecovery = action;
    }

    /** Opens the connection and loads the scripts; the caller decides when the tier may serve. */
    private boolean connect() {
        try {
            if (client instanceof RedisClusterClient clusterClient) {
                StatefulRedisClusterConnection<byte[], byte[]> c = clusterClient.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                async = c.async();
            } else {
                StatefulRedisConnection<byte[], byte[]> c = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
                connection = c;
                async = c.async();
            }
            loadScripts();
            // Not healthy yet: after an outage the probe first retires the era and the pending tokens.
            connectFailureLogged = false;
            problem = null;
            problemIsConfiguration = false;
            LOG.info("mongocache: shared tier connected to Redis {}", maskedUris);
            return true;
        } catch (RuntimeException e) {
            stats.redisErrors.increment();
            problem = RedisProblems.reason(e);
            problemIsConfiguration = RedisProblems.isConfigurationError(e);
            // Once per outage: the probe retries every redisRetryInterval.
            if (!connectFailureLogged) {
                connectFailureLogged = true;
                if (problemIsConfiguration) {
                    LOG.error("mongocache: Redis {} refused the settings ({}); check the credentials and the "
                            + "database index of the URI; serving from MongoDB until it accepts them", maskedUris,
                            problem);
                } else {
                    LOG.warn("mongocache: Redis {} unavailable ({}: {}); serving from MongoDB until it answers",
                            maskedUris, e.getClass().getSimpleName(), problem);
                }
            }
            return false;
        }
    }

    /** Loads the write script (standalone only: a Cluster write is pipelined), so writes rarely meet NOSCRIPT. */
    private void loadScripts() {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands != null && !cluster) {
            await(commands.scriptLoad(WRITE_BYTES));
        }
    }

    /** True when Redis answered its last command. */
    boolean available() {
        return healthy && !closed;
    }

    private boolean usable(CacheKey key) {
        return healthy && !closed && !inFlight.blocks(key);
    }

    /**
     * The Redis key of a dependency's token: {@code prefix:{namespace}:t} (namespace-wide), {@code …:a} (any document)
     * or {@code …:i:<canonical id bytes>} (one document).
     */
    private byte[] tokenKey(Dependency d) {
        char kind = switch (d.kind()) {
            case NAMESPACE -> 't';
            case ANY_DOCUMENT -> 'a';
            case DOCUMENT -> 'i';
        };
        byte[] head = (config.keyPrefix() + ":{" + d.namespace() + "}:" + kind).getBytes(StandardCharsets.UTF_8);
        DocumentId id = d.id();
        if (id == null) {
            return head;
        }
        byte[] key = Arrays.copyOf(head, head.length + 1 + id.length());
        key[head.length] = ':';
        id.copyTo(key, head.length + 1);
        return key;
    }

    byte[] entryKey(CacheKey key) {
        return (config.keyPrefix() + ":{" + key.namespace() + "}:e:" + key.digest()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Looks a key up in one round trip. Returns null when Redis must not be used now (down, or this node owes it
     * an invalidation the key depends on); otherwise the current tokens of the era and of every dependency
     * (created where missing, with an expiry of {@code ttlMillis}) and the payload if a current entry exists.
     */
    @Nullable Lookup lookup(CacheKey key, long ttlMillis, StatsRegistry.Counters counters) {
        StatefulConnection<byte[], byte[]> c = connection;
        if (c == null || !usable(key)) {
            return null;
        }
        Dependency[] deps = key.dependencies();
        try {
            // One pipelined round trip of native commands written with one flush, no script: each token is read, or
            // created when missing, by SET NX GET (the era without expiry, the others expiring with the entry), then
            // the entry and its remaining life are read. Redis runs them in this order, so an entry read after its
            // tokens can only be newer than them, and an entry whose tokens differ from those read is simply not
            // current: the check in currentPayload holds without the commands being atomic.
            RedisBatch batch = new RedisBatch(c, deps.length + 3);
            byte[][] fresh = new byte[deps.length + 1][];
            List<RedisFuture<byte[]>> reads = new ArrayList<>(deps.length + 1);
            fresh[0] = randomToken();
            reads.add(batch.setGet(eraKey, fresh[0], SetArgs.Builder.nx()));
            SetArgs expiring = SetArgs.Builder.nx().px(Math.max(1, ttlMillis));
            for (int i = 0; i < deps.length; i++) {
                fresh[i + 1] = randomToken();
                reads.add(batch.setGet(tokenKey(deps[i]), fresh[i + 1], expiring));
            }
            byte[] entryKey = entryKey(key);
            RedisFuture<byte[]> entry = batch.get(entryKey);
            RedisFuture<Long> life = batch.remainingMillis(entryKey);
            batch.send();
            byte[][] tokens = new byte[deps.length + 1][];
            for (int i = 0; i < tokens.length; i++) {
                byte[] previous = await(reads.get(i));
                tokens[i] = previous != null ? previous : fresh[i];
            }
            byte[] stored = await(entry);
            byte[] payload = stored == null ? null : currentPayload(stored, tokens);
            Long remaining = payload == null ? null : await(life);
            return new Lookup(payload, tokens, remaining == null ? 0 : remaining);
        } catch (RuntimeException e) {
            counters.l2Errors.increment();
            fault(e);
            return null;
        }
    }

    private static boolean isNoScript(RedisException e) {
        return e instanceof RedisNoScriptException || e.getCause() instanceof RedisNoScriptException
                || String.valueOf(e.getMessage()).contains("NOSCRIPT");
    }

    /**
     * The payload of a stored entry ({@code [n][n tokens, 8 bytes each][payload]}) if it was stamped with exactly the
     * {@code tokens} just read (era first, then the key's dependencies in order); null if any differs or the entry is
     * malformed. Pure, for {@code RedisTierLayoutTest}.
     */
    static byte @Nullable [] currentPayload(byte[] stored, byte[][] tokens) {
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

    /**
     * Stores a payload stamped with the tokens read before its load, if they are all still current; sent
     * without waiting for the reply (a lost install is a later miss, never a stale read).
     */
    void install(CacheKey key, byte[][] tokens, byte[] payload, long ttlMillis, StatsRegistry.Counters counters) {
        StatefulConnection<byte[], byte[]> c = connection;
        if (c == null || !usable(key) || tokens.length > NamespaceStats.MAX_SHARED_DEPENDENCIES + 1) {
            return;
        }
        Dependency[] deps = key.dependencies();
        ByteBuffer value = ByteBuffer.allocate(1 + tokens.length * TOKEN_BYTES + payload.length);
        value.put((byte) tokens.length);
        for (byte[] t : tokens) {
            value.put(t, 0, TOKEN_BYTES);
        }
        value.put(payload);
        // Plain commands, sent without waiting, no script: the entry carries the tokens it was loaded under, and a
        // lookup serves it only while every one of them is still current (currentPayload). An install that lost a
        // race with a write stores an entry no lookup will ever serve (at worst it replaces a newer one: a miss),
        // so no check-and-set is needed for "no stale set". The tokens' expiry is extended to the entry's (GT: never
        // shortened), so a token cannot expire and be recreated under a live entry — which would only cost a miss.
        long ttl = Math.max(1, ttlMillis);
        try {
            RedisBatch batch = new RedisBatch(c, deps.length + 1);
            List<RedisFuture<?>> sent = new ArrayList<>(deps.length + 1);
            sent.add(batch.set(entryKey(key), value.array(), SetArgs.Builder.px(ttl)));
            for (Dependency dep : deps) {
                sent.add(batch.extendTo(tokenKey(dep), ttl));
            }
            batch.send();
            for (RedisFuture<?> f : sent) {
                f.whenComplete((reply, error) -> {
                    if (error != null) {
                        counters.l2Errors.increment();
                        fault(error);
                    }
                });
            }
        } catch (RuntimeException e) {
            counters.l2Errors.increment();
            fault(e);
        }
    }

    /**
     * Where a write's fresh tokens are reported once Redis holds them, so that this node's next read of what it just
     * wrote can skip the lookup: nothing in Redis can be current for them yet, and every lookup checks the tokens an
     * entry carries anyway (a memo another write made stale only makes its install one that is never served).
     */
    interface TokenMemo {
        void written(Dependency dependency, byte[] token);
    }

    /** A write's token replacement in flight: the commands' replies, and the fresh tokens to report. */
    private final class Replacement {
        final List<RedisFuture<?>> replies = new ArrayList<>(3);
        final List<Dependency> dependencies = new ArrayList<>(3);
        final List<byte[]> tokens = new ArrayList<>(3);

        void await() {
            for (RedisFuture<?> f : replies) {
                RedisTier.this.await(f);
            }
        }

        void report() {
            TokenMemo m = memo;
            for (int i = 0; i < dependencies.size(); i++) {
                m.written(dependencies.get(i), tokens.get(i));
            }
        }
    }

    /**
     * Sends the token replacement of a write: a fresh random token (expiring with the default TTL; installs extend
     * it) for each dependency the write makes stale — the namespace token for a namespace write, the any-document
     * token and each document's token for a write by id — or the era's deletion for everything. Called under the
     * publish lock; the replies are awaited by the caller.
     */
    private Replacement replaceTokens(RedisBatch batch, Invalidation invalidation) {
        Replacement r = new Replacement();
        if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
            r.replies.add(batch.del(eraKey));
        } else {
            for (Dependency d : Dependency.staleAfter(invalidation)) {
                replace(batch, r, d);
            }
        }
        return r;
    }

    private void replace(RedisBatch batch, Replacement r, Dependency d) {
        byte[] token = randomToken();
        r.replies.add(batch.set(tokenKey(d), token, tokenExpiry));
        r.dependencies.add(d);
        r.tokens.add(token);
    }

    /** The token keys an invalidation replayed after an outage deletes. */
    private byte[][] staleTokens(Invalidation invalidation) {
        if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
            return new byte[][] {eraKey};
        }
        return Dependency.staleAfter(invalidation).stream().map(this::tokenKey).toArray(byte[][]::new);
    }

    /**
     * Replaces the tokens of what a write changed, then publishes {@code message} (if any) to {@code channel}: at
     * once, waiting for Redis ({@link InvalidationMode#SYNC}), or through the background sender
     * ({@link InvalidationMode#ASYNC}, returning at once). On failure the invalidation is remembered: this node
     * stops using Redis until the replacement succeeds (the message is then not sent: receivers detect the gap).
     *
     * @return whether Redis acknowledged the replacement (always false when it was handed to the sender)
     */
    boolean invalidate(Invalidation invalidation, byte @Nullable [] channel, @Nullable Supplier<byte[]> message) {
        BlockingQueue<Outgoing> queue = outgoing;
        if (queue != null && !closed) {
            inFlight.add(invalidation);
            queue.add(new Outgoing(invalidation, channel, message, System.nanoTime()));
            return false;
        }
        return invalidateNow(invalidation, channel, message);
    }

    /** Like {@link #invalidate}, but always waits for Redis, in either mode. */
    boolean invalidateSynchronously(Invalidation invalidation, byte @Nullable [] channel,
            @Nullable Supplier<byte[]> message) {
        return invalidateNow(invalidation, channel, message);
    }

    /** Whether invalidations are sent in the background. */
    boolean asynchronous() {
        return outgoing != null;
    }

    private boolean invalidateNow(Invalidation invalidation, byte @Nullable [] channel,
            @Nullable Supplier<byte[]> message) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed || !healthy) {
            remember(invalidation);
            return false;
        }
        try {
            if (!cluster && invalidation.kind() != Invalidation.Kind.EVERYTHING) {
                writeByScript(commands, invalidation, channel, message);
                return true;
            }
            Replacement replaced;
            RedisFuture<Long> published = null;
            synchronized (publishLock) {
                RedisBatch batch = new RedisBatch(java.util.Objects.requireNonNull(connection), 4);
                replaced = replaceTokens(batch, invalidation);
                if (!cluster && channel != null && message != null) {
                    // Same connection, same server: Redis processes the publish after the replacement.
                    published = batch.publish(channel, message.get());
                }
                batch.send();
            }
            replaced.await();
            if (cluster && channel != null && message != null) {
                synchronized (publishLock) {
                    published = commands.spublish(channel, message.get());
                }
            }
            if (published != null) {
                await(published);
            }
            replaced.report();
            return true;
        } catch (RuntimeException e) {
            if (!invalidation.namespace().isEmpty()) {
                stats.of(invalidation.namespace()).l2Errors.increment();
            }
            remember(invalidation);
            fault(e);
            return false;
        }
    }

    /**
     * A write on a standalone Redis: the token replacement and the message in one script, one command and one
     * round trip; Redis runs a script atomically, so the message still follows the tokens it announces.
     */
    private void writeByScript(RedisClusterAsyncCommands<byte[], byte[]> commands, Invalidation invalidation,
            byte @Nullable [] channel, @Nullable Supplier<byte[]> message) {
        List<Dependency> deps = Dependency.staleAfter(invalidation);
        int n = deps.size();
        boolean publish = channel != null && message != null;
        byte[][] keys = new byte[n][];
        byte[][] args = new byte[n + (publish ? 3 : 1)][];
        for (int i = 0; i < n; i++) {
            keys[i] = tokenKey(deps.get(i));
            args[i] = randomToken();
        }
        args[n] = tokenExpiryMillis;
        RedisFuture<Long> reply;
        // The supplier takes the message's sequence number: it and the send happen under one lock, in order.
        synchronized (publishLock) {
            if (publish) {
                args[n + 1] = channel;
                args[n + 2] = message.get();
            }
            reply = commands.evalsha(writeDigest, ScriptOutputType.INTEGER, keys, args);
        }
        try {
            await(reply);
        } catch (RedisException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            // A restarted or flushed Redis forgot the script: send it whole. Its message may now follow later ones;
            // receivers take that as a sequence gap and flush (safe, and rare).
            await(commands.<Long>eval(WRITE_BYTES, ScriptOutputType.INTEGER, keys, args));
        }
        TokenMemo m = memo;
        for (int i = 0; i < n; i++) {
            m.written(deps.get(i), args[i]);
        }
    }

    private void remember(Invalidation invalidation) {
        synchronized (pendingInvalidations) {
            if (pendingInvalidations.size() >= MAX_PENDING) {
                // The era is retired on recovery anyway; one entry that says so bounds the memory of an outage.
                pendingInvalidations.clear();
                pendingInvalidations.add(Invalidation.everything());
            } else {
                pendingInvalidations.add(invalidation);
            }
        }
    }

    /**
     * Publishes a message in order with the invalidations' messages — through the sender in asynchronous mode,
     * where a heartbeat that waited longer than the send bound is dropped (see {@link InvalidationChannel}).
     *
     * @return false if Redis did not take it (or, asynchronously, if it could not be queued)
     */
    boolean publish(byte[] channel, Supplier<byte[]> message) {
        return publish(channel, message, true);
    }

    /**
     * Like {@link #publish(byte[], Supplier)}, but returns once the message is on its way: a failure or a reply
     * slower than {@code redisTimeout} is a fault when it happens. For heartbeats, which must go out on time
     * however slowly Redis answers (their proof is the message coming back, not the reply).
     *
     * @return false if the message could not be sent or queued
     */
    boolean publishWithoutWaiting(byte[] channel, Supplier<byte[]> message) {
        return publish(channel, message, false);
    }

    private boolean publish(byte[] channel, Supplier<byte[]> message, boolean wait) {
        BlockingQueue<Outgoing> queue = outgoing;
        if (queue != null) {
            return !closed && healthy && queue.offer(new Outgoing(null, channel, message, System.nanoTime()));
        }
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed || !healthy) {
            return false;
        }
        try {
            RedisFuture<Long> published;
            synchronized (publishLock) {
                published = cluster ? commands.spublish(channel, message.get()) : commands.publish(channel, message.get());
            }
            if (wait) {
                await(published);
            } else {
                // The client's command timeout (redisTimeout) completes a reply that does not come.
                published.whenComplete((receivers, error) -> {
                    if (error != null) {
                        fault(error);
                    }
                });
            }
            return true;
        } catch (RuntimeException e) {
            fault(e);
            return false;
        }
    }

    /** The asynchronous sender: takes what writes queued, sends it in order in batches, one round trip each. */
    private void sendLoop() {
        BlockingQueue<Outgoing> queue = java.util.Objects.requireNonNull(outgoing);
        List<Outgoing> batch = new ArrayList<>(BATCH);
        boolean last = false;
        while (!closed && !last) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, BATCH - 1);
            int end = batch.indexOf(LAST);
            if (end >= 0) {
                last = true;
                batch.subList(end, batch.size()).clear();
            }
            try {
                sendBatch(batch);
            } catch (RuntimeException | Error e) {
                LOG.warn("mongocache: the invalidation sender failed; invalidations go through the outage path", e);
                for (Outgoing o : batch) {
                    if (o.invalidation() != null) {
                        remember(o.invalidation());
                        inFlight.remove(o.invalidation());
                    }
                }
                fault(e);
            }
            batch.clear();
        }
    }

    private void sendBatch(List<Outgoing> batch) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed || !healthy) {
            for (Outgoing o : batch) {
                if (o.invalidation() != null) {
                    remember(o.invalidation());
                    inFlight.remove(o.invalidation());
                }
            }
            return;
        }
        List<Replacement> replacements = new ArrayList<>(batch.size());
        List<RedisFuture<Long>> publications = new ArrayList<>(batch.size());
        List<Outgoing> sentMessages = new ArrayList<>(batch.size());
        long now = System.nanoTime();
        synchronized (publishLock) {
            // Every command of the batch in one write: the replacements in queue order, then the messages, in queue
            // order too (bundled where the channel bundles), one flush. Each message still follows the replacement
            // it announces.
            RedisBatch commandsInOrder = new RedisBatch(java.util.Objects.requireNonNull(connection),
                    batch.size() * 4);
            for (Outgoing o : batch) {
                Invalidation invalidation = o.invalidation();
                if (invalidation != null) {
                    replacements.add(replaceTokens(commandsInOrder, invalidation));
                    if (o.message() != null && o.channel() != null) {
                        sentMessages.add(o);
                    }
                } else if (now - o.enqueuedNanos() <= heartbeatQueueLimitNanos) {
                    // A heartbeat vouches for every invalidation queued before it; one that waited too long would
                    // vouch late, so it is dropped and the other nodes stop trusting this one until it catches up.
                    sentMessages.add(o);
                }
            }
            if (!cluster) {
                publishInOrder(sentMessages, commandsInOrder::publish, publications);
            }
            commandsInOrder.send();
        }
        boolean ok = true;
        RuntimeException failure = null;
        for (Replacement r : replacements) {
            try {
                r.await();
            } catch (RuntimeException e) {
                ok = false;
                failure = e;
            }
        }
        if (ok && cluster && !sentMessages.isEmpty()) {
            synchronized (publishLock) {
                publishInOrder(sentMessages, commands::spublish, publications);
            }
        }
        for (RedisFuture<Long> f : publications) {
            try {
                await(f);
            } catch (RuntimeException e) {
                ok = false;
                failure = e;
            }
        }
        for (Outgoing o : batch) {
            Invalidation invalidation = o.invalidation();
            if (invalidation != null) {
                if (!ok) {
                    remember(invalidation);
                }
                inFlight.remove(invalidation);
            }
        }
        if (ok) {
            for (Replacement r : replacements) {
                r.report();
            }
        } else {
            fault(failure);
        }
    }

    /**
     * Publishes the messages of {@code sent} in order, encoding each now (its sequence number is taken here, under
     * the publish lock): a run of two or more consecutive messages to the bundling channel goes as one bundle, one
     * {@code PUBLISH} that every subscriber receives and unpacks in order; anything else goes as it is.
     */
    private void publishInOrder(List<Outgoing> sent, BiFunction<byte[], byte[], RedisFuture<Long>> publisher,
            List<RedisFuture<Long>> publications) {
        Bundler b = bundler;
        List<byte[]> run = new ArrayList<>(sent.size());
        for (Outgoing o : sent) {
            byte[] ch = java.util.Objects.requireNonNull(o.channel());
            byte[] message = java.util.Objects.requireNonNull(o.message()).get();
            if (b != null && Arrays.equals(ch, b.channel())) {
                run.add(message);
                continue;
            }
            publishRun(b, run, publisher, publications);
            publications.add(publisher.apply(ch, message));
        }
        publishRun(b, run, publisher, publications);
    }

    /** Publishes the messages collected for the bundler's channel (one as it is, more as a bundle) and clears them. */
    private static void publishRun(@Nullable Bundler bundler, List<byte[]> run,
            BiFunction<byte[], byte[], RedisFuture<Long>> publisher, List<RedisFuture<Long>> publications) {
        if (bundler == null || run.isEmpty()) {
            return;
        }
        publications.add(publisher.apply(bundler.channel(), run.size() == 1 ? run.get(0) : bundler.bundle(run)));
        run.clear();
    }

    private <V> V await(RedisFuture<V> future) {
        try {
            return future.get(config.redisTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while waiting for Redis");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RedisNoScriptException noScript) {
                throw noScript;
            }
            throw new RedisException("Redis command failed: " + cause.getClass().getSimpleName() + " "
                    + Masking.inText(String.valueOf(cause.getMessage())));
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
        problem = RedisProblems.reason(error);
        if (healthy) {
            healthy = false;
            LOG.warn("mongocache: Redis {} failed ({}); falling through to MongoDB and probing every {}",
                    maskedUris, problem, config.redisRetryInterval());
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
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        try {
            if (commands == null) {
                throw new IllegalStateException("not connected");
            }
            await(commands.ping());
            loadScripts();
            List<Invalidation> pending;
            synchronized (pendingInvalidations) {
                pending = new ArrayList<>(pendingInvalidations);
            }
            List<RedisFuture<Long>> deletions = new ArrayList<>();
            for (Invalidation invalidation : pending) {
                deletions.add(commands.del(staleTokens(invalidation)));
            }
            // Entries written before the outage may be stale: writes made elsewhere during it may not have
            // reached Redis. Deleting the era token retires all of them at once.
            deletions.add(commands.del(eraKey));
            for (RedisFuture<Long> f : deletions) {
                await(f);
            }
            synchronized (pendingInvalidations) {
                pendingInvalidations.removeAll(pending);
            }
            onRecovery.run();
            healthy = true;
            LOG.info("mongocache: Redis {} answers again; shared tier back in use", maskedUris);
        } catch (RuntimeException e) {
            stats.redisErrors.increment();
            problem = RedisProblems.reason(e);
            healthy = false;
            scheduleProbe();
        }
    }

    /** Deletes the era token, retiring every entry in Redis (sent without waiting; a failure is a fault). */
    void retireEra() {
        RedisClusterAsyncCommands<byte[], byte[]> commands = async;
        if (commands == null || closed) {
            return;
        }
        try {
            commands.del(eraKey).whenComplete((n, error) -> {
                if (error != null) {
                    fault(error);
                }
            });
        } catch (RuntimeException e) {
            fault(e);
        }
    }

    static byte[] randomToken() {
        byte[] token = new byte[TOKEN_BYTES];
        ThreadLocalRandom.current().nextBytes(token);
        return token;
    }

    @Override
    public void close() {
        Thread t = sender;
        BlockingQueue<Outgoing> queue = outgoing;
        if (t != null && queue != null) {
            // What writes queued goes out first (bounded by the command timeout), then the sender stops.
            queue.add(LAST);
            try {
                t.join(config.redisTimeout().toMillis() * 2 + 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.interrupt();
        }
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
            shutDown(resources, config.redisTimeout().toMillis() * 4);
        } catch (RuntimeException e) {
            LOG.debug("mongocache: shutting the Redis client down failed", e);
        }
    }

    /**
     * What this node's asynchronous sender has not yet written, as the dependencies it blocks: a read that
     * depends on one of them must not use Redis (it could find the entry the pending write made stale).
     *
     * <p>Concurrency: counts per dependency in a concurrent map; the common case (nothing pending) is one read.
     */
    static final class AsyncPending {
        private final ConcurrentHashMap<Dependency, AtomicInteger> blocked = new ConcurrentHashMap<>();
        private final AtomicInteger everything = new AtomicInteger();
        private final AtomicInteger total = new AtomicInteger();

        void add(Invalidation invalidation) {
            total.incrementAndGet();
            for (Dependency d : Dependency.staleAfter(invalidation)) {
                blocked.computeIfAbsent(d, k -> new AtomicInteger()).incrementAndGet();
            }
            if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
                everything.incrementAndGet();
            }
        }

        void remove(Invalidation invalidation) {
            for (Dependency d : Dependency.staleAfter(invalidation)) {
                blocked.computeIfPresent(d, (k, n) -> n.decrementAndGet() == 0 ? null : n);
            }
            if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
                everything.decrementAndGet();
            }
            total.decrementAndGet();
        }

        boolean blocks(CacheKey key) {
            if (total.get() == 0) {
                return false;
            }
            if (everything.get() > 0) {
                return true;
            }
            for (Dependency d : key.dependencies()) {
                if (blocked.containsKey(d)) {
                    return true;
                }
            }
            return false;
        }
    }
}

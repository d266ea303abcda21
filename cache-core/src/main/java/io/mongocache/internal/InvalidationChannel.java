package io.mongocache.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.mongocache.invalidation.DocumentId;
import io.mongocache.invalidation.Invalidation;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidation channel between nodes, over Redis pub/sub (sharded pub/sub on a Cluster, so that every message
 * goes through one shard and all subscribers see one order).
 *
 * <p>Messages are binary (they are on every write's path; a receiver recognises its own from a fixed offset
 * without parsing): {@code [format 2][type][flags][node id, 16 bytes][epoch, 8][sequence, 8]} and then, for an
 * invalidation ({@code 'D'}), {@code [kind][namespace length, 4][namespace][id count, 4]([id length, 4][canonical
 * id])*}; for a heartbeat ({@code 'H'}), {@code [sent, 8]}; a goodbye ({@code 'B'}) has no body. Flag 1: the
 * sender invalidates asynchronously. Each node has a random node id and epoch (a restarted node is a new epoch)
 * and numbers its invalidations 1, 2, 3, …; its messages are sent in that order through {@link RedisTier}, after
 * the token deletion they announce. The asynchronous sender publishes the messages of one batch as one bundle,
 * {@code [format 3][count, 4]([length, 4][message])*}, which a receiver unpacks and handles message by message, in
 * order, as if they had come one by one (a node of an earlier version, which knows only format 2, takes a bundle
 * for a malformed message and flushes its local tier: safe, and only while versions are mixed).
 *
 * <p>Receiving: an invalidation from another node is applied to the local tier. A sequence gap, an epoch change
 * of a known node, or a (re-)subscription — messages may have been lost — flushes the whole local tier.
 *
 * <p>Bounded staleness, synchronous writers: every {@code maxStaleness / 4} a node publishes a heartbeat and
 * notes when it sent it; receiving its own heartbeat back proves that every message Redis processed before it has
 * been received and applied. The local tier serves a read only if such a proof is younger than
 * {@code maxStaleness}: a write acknowledged more than {@code maxStaleness} before a read started was published
 * before that heartbeat, so its invalidation has been applied. A silent subscription (Redis paused, a partition,
 * a killed connection) thus turns the local tier off after at most {@code maxStaleness}.
 *
 * <p>Asynchronous writers acknowledge a write before Redis has its invalidation. Such a node sends heartbeats every
 * {@code maxStaleness / 8} through the same ordered sender as its invalidations, and drops a heartbeat that waited
 * there longer than D = {@code maxStaleness / 4}: a heartbeat that arrives thus vouches that everything the sender
 * acknowledged before it was sent first. Every node that knows an asynchronous peer (and an asynchronous node
 * itself) then trusts its local tier only while (a) its own proof is younger than {@code maxStaleness − D} — which
 * covers every write whose invalidation reached Redis within D of its acknowledgement — and (b) every asynchronous
 * peer's latest heartbeat arrived less than W = {@code maxStaleness / 2} ago — which covers the writes of a peer
 * whose sends fall behind, since its heartbeats then stop. First contact with an asynchronous peer flushes the local
 * tier (what it sent before is unknown here). While an asynchronous peer is silent the shared tier is skipped too
 * (its token deletions may be missing), and one silent for {@link #peerTimeout} is taken to be gone: the local tier
 * is flushed and the era retired, covering whatever it acknowledged and never sent. So an asynchronous node that
 * dies without its goodbye costs the others their tiers for up to {@code peerTimeout}; one whose sends stall for
 * less than that keeps the bound. The bound assumes Redis
 * delivers a published message within {@code maxStaleness / 2}. A synchronous peer silent for {@link #peerTimeout}
 * is forgotten; a goodbye forgets a peer at once. A node cut off from Redis while the others are not (in either
 * mode) reaches them only when it reconnects: it then retires the era and tells every node to flush.
 *
 * <p>Concurrency: messages are handled on Lettuce's event thread in order; per-peer state is guarded by its map's
 * lock, and the trust deadline derived from it is published through a volatile field, so a read checks trust
 * with one clock read. Heartbeats have a thread of their own and never wait for Redis: a heartbeat is published
 * without waiting for the reply (its proof is the message coming back), and (re-)subscribing, which does wait,
 * runs on the maintenance scheduler with the Redis probes and recovery. So neither a slow Redis nor a stuck probe
 * delays the next heartbeat, and any {@code redisTimeout} works with any {@code maxStaleness}: a Redis that takes
 * longer than {@code 3/4 maxStaleness} to bring a heartbeat back makes the node distrust its local tier, as it
 * should, whatever the timeout. Failure modes: a lost message is detected at the sender's next message or
 * heartbeat (a gap); a lost heartbeat only delays the proof; a failed or timed-out heartbeat is a Redis fault.
 * Memory: one entry per live peer; silent peers are pruned.
 */
final class InvalidationChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationChannel.class);
    private static final byte FORMAT = 2;
    private static final byte FORMAT_BUNDLE = 3;
    private static final byte INVALIDATION = 'D';
    private static final byte HEARTBEAT = 'H';
    private static final byte GOODBYE = 'B';
    private static final byte FLAG_ASYNC = 1;
    private static final int HEADER = 3 + 16 + 8 + 8;

    private final RedisTier redis;
    private final Consumer<Invalidation> applyRemote;
    private final Runnable flushLocal;
    private final ScheduledExecutorService heartbeatScheduler;
    private final ScheduledExecutorService maintenance;
    private final java.util.concurrent.atomic.AtomicBoolean subscribing = new java.util.concurrent.atomic.AtomicBoolean();
    private final long maxStalenessNanos;
    private final boolean asyncSelf;
    private final ChannelPeers peers;
    private final byte[] channel;
    private final UUID nodeUuid = UUID.randomUUID();
    private final String nodeId = nodeUuid.toString();
    private final byte[] nodeIdBytes = ByteBuffer.allocate(16).putLong(nodeUuid.getMostSignificantBits())
            .putLong(nodeUuid.getLeastSignificantBits()).array();
    private final long epoch = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final AtomicLong sequence = new AtomicLong();
    private final Object proofMonitor = new Object();
    private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private volatile @Nullable ScheduledFuture<?> heartbeats;
    private volatile boolean closed;

    final LongAdder received = new LongAdder();
    /** How long this node's latest heartbeat took to come back through Redis; -1 before the first did. */
    volatile long lagNanos = -1;
    /** Invalidations of other nodes applied here (heartbeats, goodbyes and this node's own messages are not). */
    final LongAdder invalidations = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder flushes = new LongAdder();

    /**
     * @param heartbeatScheduler a thread for the heartbeats alone
     * @param maintenance where (re-)subscribing runs, with the work that may wait for Redis
     */
    InvalidationChannel(RedisTier redis, String keyPrefix, Duration maxStaleness,
            ScheduledExecutorService heartbeatScheduler, ScheduledExecutorService maintenance,
            Consumer<Invalidation> applyRemote, Runnable flushLocal) {
        this.redis = redis;
        this.applyRemote = applyRemote;
        this.flushLocal = flushLocal;
        this.heartbeatScheduler = heartbeatScheduler;
        this.maintenance = maintenance;
        this.maxStalenessNanos = maxStaleness.toNanos();
        this.asyncSelf = redis.asynchronous();
        this.peers = new ChannelPeers(maxStalenessNanos, peerTimeout(maxStaleness).toNanos(), asyncSelf);
        // The hash tag pins the sharded channel to one Cluster slot.
        this.channel = (keyPrefix + ":{invalidations}").getBytes(StandardCharsets.UTF_8);
    }

    /** D: how long an asynchronous node's heartbeat may wait behind its invalidations before it is dropped. */
    static Duration asyncSendBound(Duration maxStaleness) {
        return maxStaleness.dividedBy(4);
    }

    /** How long a silent peer is remembered (and, if asynchronous, distrusted) before it is taken to be gone. */
    static Duration peerTimeout(Duration maxStaleness) {
        Duration five = maxStaleness.multipliedBy(5);
        return five.compareTo(Duration.ofSeconds(5)) > 0 ? five : Duration.ofSeconds(5);
    }

    void start() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5), maxStalenessNanos / (asyncSelf ? 8 : 4));
        heartbeats = heartbeatScheduler.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
    }

    byte[] channel() {
        return channel;
    }

    String nodeId() {
        return nodeId;
    }

    /** Whether the local tier may serve now (fresh proof that every invalidation up to maxStaleness ago arrived). */
    boolean localTierTrusted() {
        return peers.trusted(System.nanoTime());
    }

    /** Whether the shared tier may serve now (no asynchronous peer has gone silent). */
    boolean sharedTierTrusted() {
        return peers.sharedTrusted(System.nanoTime());
    }

    /**
     * Waits until this node has applied every invalidation that Redis processed before this call: sends a heartbeat
     * and waits for it to come back.
     *
     * @return whether that happened within the timeout
     */
    boolean awaitCurrent(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // Right after start the subscription may still be on its way: wait for it within the timeout.
        while (subscriber == null) {
            if (closed || deadline - System.nanoTime() <= 0) {
                return false;
            }
            Thread.sleep(5);
        }
        if (!redis.publish(channel, this::heartbeat)) {
            return false;
        }
        synchronized (proofMonitor) {
            while (!(peers.proven() && peers.proofSentNanos() - start >= 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(proofMonitor, left);
            }
        }
        return true;
    }

    private ByteBuffer header(int bodyBytes, byte type, long seq) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + bodyBytes);
        out.put(FORMAT).put(type).put(asyncSelf ? FLAG_ASYNC : 0).put(nodeIdBytes).putLong(epoch).putLong(seq);
        return out;
    }

    /** Encodes an invalidation with the next sequence number. Called in send order (under the publish lock). */
    byte[] encode(Invalidation invalidation) {
        byte[] ns = invalidation.namespace().getBytes(StandardCharsets.UTF_8);
        int body = 1 + 4 + ns.length + 4;
        for (DocumentId id : invalidation.ids()) {
            body += 4 + id.length();
        }
        ByteBuffer out = header(body, INVALIDATION, sequence.incrementAndGet());
        out.put((byte) invalidation.kind().ordinal()).putInt(ns.length).put(ns).putInt(invalidation.ids().size());
        for (DocumentId id : invalidation.ids()) {
            out.putInt(id.length());
            int at = out.position();
            id.copyTo(out.array(), at);
            out.position(at + id.length());
        }
        return out.array();
    }

    private byte[] heartbeat() {
        return header(8, HEARTBEAT, sequence.get()).putLong(System.nanoTime()).array();
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            if (peers.prune(System.nanoTime())) {
                // An asynchronous peer went silent for the peer timeout: it may have acknowledged writes whose
                // invalidations will never come. Retire everything they could have left stale, here and in Redis.
                flush("an asynchronously invalidating node went silent");
                redis.retireEra();
            }
            if (subscriber == null) {
                subscribeSoon();
            } else {
                redis.publishWithoutWaiting(channel, this::heartbeat);
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: heartbeat failed", e);
        }
    }

    /**
     * Subscribes on the maintenance scheduler (it waits for Redis), once at a time, then sends a heartbeat at once:
     * the local tier is distrusted until the first one comes back.
     */
    private void subscribeSoon() {
        if (!subscribing.compareAndSet(false, true)) {
            return;
        }
        try {
            maintenance.execute(() -> {
                try {
                    if (!closed && subscriber == null) {
                        subscribe();
                        if (subscriber != null) {
                            redis.publishWithoutWaiting(channel, this::heartbeat);
                        }
                    }
                } finally {
                    subscribing.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            subscribing.set(false);
        }
    }

    private void subscribe() {
        if (!redis.available()) {
            return;
        }
        try {
            StatefulRedisPubSubConnection<byte[], byte[]> connection;
            if (redis.client() instanceof RedisClusterClient cluster) {
                connection = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
            } else {
                connection = ((RedisClient) redis.client()).connectPubSub(ByteArrayCodec.INSTANCE);
            }
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] ch, byte[] message) {
                    handle(message);
                }

                @Override
                public void smessage(byte[] ch, byte[] message) {
                    handle(message);
                }

                @Override
                public void subscribed(byte[] ch, long count) {
                    onSubscribed();
                }

                @Override
                public void ssubscribed(byte[] ch, long count) {
                    onSubscribed();
                }
            });
            if (redis.isCluster()) {
                connection.sync().ssubscribe(channel);
            } else {
                connection.sync().subscribe(channel);
            }
            subscriber = connection;
        } catch (RuntimeException e) {
            LOG.debug("mongocache: subscribing to the invalidation channel failed", e);
            redis.fault(e);
        }
    }

    /** A (re-)subscription: messages sent while we were not subscribed are lost to us. */
    private void onSubscribed() {
        peers.resubscribed();
        flush("subscribed to the invalidation channel");
    }

    /** Flushes the local tier (counted in {@code flushes}): this node can no longer vouch for what it holds. */
    void flush(String why) {
        flushes.increment();
        LOG.debug("mongocache: flushing the local tier: {}", why);
        flushLocal.run();
    }

    /** What the asynchronous sender bundles this channel's messages with. */
    RedisTier.Bundler bundler() {
        byte[] ch = channel;
        return new RedisTier.Bundler() {
            @Override
            public byte[] channel() {
                return ch;
            }

            @Override
            public byte[] bundle(List<byte[]> messages) {
                return InvalidationChannel.bundle(messages);
            }
        };
    }

    /** Several messages as one, in order: {@code [format 3][count, 4]([length, 4][message])*}. Pure. */
    static byte[] bundle(List<byte[]> messages) {
        int size = 1 + 4;
        for (byte[] m : messages) {
            size += 4 + m.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(FORMAT_BUNDLE).putInt(messages.size());
        for (byte[] m : messages) {
            out.putInt(m.length).put(m);
        }
        return out.array();
    }

    /**
     * The messages of a bundle, in order, or null if {@code raw} is not a bundle. A malformed bundle is refused
     * whole ({@link IllegalArgumentException}) before any of it is applied. Pure.
     */
    static @Nullable List<byte[]> unbundle(byte[] raw) {
        if (raw.length == 0 || raw[0] != FORMAT_BUNDLE) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(raw, 1, raw.length - 1);
            int count = in.getInt();
            if (count < 0 || count > raw.length) {
                throw new IllegalArgumentException("a bundle of " + count + " messages in " + raw.length + " bytes");
            }
            List<byte[]> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] m = new byte[in.getInt()];
                in.get(m);
                messages.add(m);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("a bundle with " + in.remaining() + " bytes after its messages");
            }
            return messages;
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated bundle", e);
        }
    }

    private void handle(byte[] raw) {
        try {
            List<byte[]> bundled = unbundle(raw);
            if (bundled == null) {
                handleMessage(raw);
            } else {
                for (byte[] message : bundled) {
                    handleMessage(message);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("mongocache: could not apply an invalidation message ({}); flushing the local tier", e.toString());
            flush("an unreadable message");
        }
    }

    private boolean fromSelf(byte[] raw) {
        return java.util.Arrays.equals(raw, 3, 19, nodeIdBytes, 0, 16);
    }

    private void handleMessage(byte[] raw) {
        if (raw.length < HEADER || raw[0] != FORMAT) {
            LOG.warn("mongocache: ignoring a malformed invalidation message ({} bytes)", raw.length);
            flush("a malformed message");
            return;
        }
        received.increment();
        ByteBuffer in = ByteBuffer.wrap(raw);
        in.position(1);
        byte type = in.get();
        boolean async = (in.get() & FLAG_ASYNC) != 0;
        in.position(19);
        long messageEpoch = in.getLong();
        long seq = in.getLong();
        if (fromSelf(raw)) {
            if (type == HEARTBEAT && messageEpoch == epoch) {
                long sent = in.getLong();
                lagNanos = System.nanoTime() - sent;
                synchronized (proofMonitor) {
                    peers.proof(sent);
                    proofMonitor.notifyAll();
                }
            }
            return;
        }
        String node = new UUID(in.getLong(3), in.getLong(11)).toString();
        long now = System.nanoTime();
        ChannelPeers.Outcome outcome;
        if (type == GOODBYE) {
            peers.goodbye(node);
            return;
        } else if (type == INVALIDATION) {
            outcome = peers.invalidation(node, messageEpoch, seq, async, now);
        } else if (type == HEARTBEAT) {
            outcome = peers.heartbeat(node, messageEpoch, seq, async, now);
        } else {
            return;
        }
        if (outcome == ChannelPeers.Outcome.GAP) {
            gaps.increment();
            flush("messages of node " + node + " were lost");
        } else if (outcome == ChannelPeers.Outcome.NEW_ASYNC_PEER) {
            flush("first message of asynchronously invalidating node " + node);
        }
        if (type == INVALIDATION) {
            applyRemote.accept(decode(in));
            invalidations.increment();
        }
    }

    /** The body of an invalidation message, read from {@code in}'s position (just after the header). */
    static Invalidation decode(ByteBuffer in) {
        try {
            Invalidation.Kind kind = Invalidation.Kind.values()[in.get()];
            byte[] ns = new byte[in.getInt()];
            in.get(ns);
            int count = in.getInt();
            List<DocumentId> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[in.getInt()];
                in.get(id);
                ids.add(DocumentId.fromCanonicalBytes(id));
            }
            return new Invalidation(kind, new String(ns, StandardCharsets.UTF_8), ids);
        } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated invalidation message", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
        // Tell the others at once, so an asynchronous node's departure does not cost them their local tiers.
        redis.publish(channel, () -> header(0, GOODBYE, sequence.get()).array());
        StatefulRedisPubSubConnection<byte[], byte[]> s = subscriber;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.debug("mongocache: closing the subscriber failed", e);
            }
        }
    }
}

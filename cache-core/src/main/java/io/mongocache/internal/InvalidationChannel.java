package io.mongocache.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.mongocache.spi.Invalidation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
 * <p>Messages (JSON): {@code {"type":"D","node":…,"epoch":…,"seq":…,"kind":…,"ns":…,"stripes":[…]}} for an
 * invalidation, {@code {"type":"H","node":…,"epoch":…,"seq":…,"sent":…}} for a heartbeat carrying the sender's
 * last sequence number. Each node has a random node id and epoch (a restarted node is a new epoch) and numbers
 * its invalidations 1, 2, 3, …; its messages are sent in that order through {@link RedisTier}, after the token
 * replacement they announce.
 *
 * <p>Receiving: an invalidation from another node is applied to the local tier. A sequence gap, an epoch change
 * of a known node, or a (re-)subscription — messages may have been lost — flushes the whole local tier.
 *
 * <p>Bounded staleness: every {@code maxStaleness / 4} a node publishes a heartbeat and notes when it sent it;
 * receiving its own heartbeat back proves that every message Redis processed before it has been received and
 * applied. The local tier serves a read only if such a proof is younger than {@code maxStaleness}: a write
 * acknowledged more than {@code maxStaleness} before a read started was published before that heartbeat, so its
 * invalidation has been applied. A silent subscription (Redis paused, a partition, a killed connection) thus turns
 * the local tier off after at most {@code maxStaleness}, until the proof is fresh again.
 *
 * <p>Concurrency: messages are handled on Lettuce's event thread in order; per-peer state is confined to it.
 * Failure modes: a lost message is detected at the sender's next message or heartbeat (a gap); a lost heartbeat
 * only delays the proof.
 */
final class InvalidationChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Peer(long epoch, long lastSequence) {}

    private final RedisTier redis;
    private final Consumer<Invalidation> applyRemote;
    private final Runnable flushLocal;
    private final ScheduledExecutorService scheduler;
    private final long maxStalenessNanos;
    private final byte[] channel;
    private final String nodeId = UUID.randomUUID().toString();
    private final long epoch = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Peer> peers = new HashMap<>();
    private final Object proofMonitor = new Object();
    private volatile long lastProofSentNanos;
    private volatile boolean proven;
    private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private volatile @Nullable ScheduledFuture<?> heartbeats;
    private volatile boolean closed;

    final LongAdder received = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder flushes = new LongAdder();

    InvalidationChannel(RedisTier redis, String keyPrefix, Duration maxStaleness, ScheduledExecutorService scheduler,
            Consumer<Invalidation> applyRemote, Runnable flushLocal) {
        this.redis = redis;
        this.applyRemote = applyRemote;
        this.flushLocal = flushLocal;
        this.scheduler = scheduler;
        this.maxStalenessNanos = maxStaleness.toNanos();
        // The hash tag pins the sharded channel to one Cluster slot.
        this.channel = (keyPrefix + ":{invalidations}").getBytes(StandardCharsets.UTF_8);
    }

    void start() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), maxStalenessNanos / 4);
        heartbeats = scheduler.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.NANOSECONDS);
    }

    byte[] channel() {
        return channel;
    }

    String nodeId() {
        return nodeId;
    }

    /** Whether the local tier may serve now (a fresh proof that every invalidation up to maxStaleness ago arrived). */
    boolean localTierTrusted() {
        return proven && System.nanoTime() - lastProofSentNanos < maxStalenessNanos;
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
        if (subscriber == null || !redis.publish(channel, this::heartbeat)) {
            return false;
        }
        synchronized (proofMonitor) {
            while (!(proven && lastProofSentNanos >= start)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(proofMonitor, left);
            }
        }
        return true;
    }

    /** Encodes an invalidation with the next sequence number. Called in send order (under the publish lock). */
    byte[] encode(Invalidation invalidation) {
        ObjectNode message = JSON.createObjectNode()
                .put("type", "D").put("node", nodeId).put("epoch", epoch).put("seq", sequence.incrementAndGet())
                .put("kind", invalidation.kind().name()).put("ns", invalidation.namespace());
        ArrayNode stripes = message.putArray("stripes");
        for (int s : invalidation.stripes()) {
            stripes.add(s);
        }
        return bytes(message);
    }

    private byte[] heartbeat() {
        return bytes(JSON.createObjectNode().put("type", "H").put("node", nodeId).put("epoch", epoch)
                .put("seq", sequence.get()).put("sent", System.nanoTime()));
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an invalidation message", e);
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            if (subscriber == null) {
                subscribe();
            }
            if (subscriber != null) {
                redis.publish(channel, this::heartbeat);
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: heartbeat failed", e);
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
        synchronized (peers) {
            peers.clear();
        }
        flush("subscribed to the invalidation channel");
    }

    private void flush(String why) {
        flushes.increment();
        LOG.debug("mongocache: flushing the local tier: {}", why);
        flushLocal.run();
    }

    private void handle(byte[] raw) {
        try {
            handleMessage(raw);
        } catch (RuntimeException e) {
            LOG.warn("mongocache: could not apply an invalidation message ({}); flushing the local tier", e.toString());
            flush("an unreadable message");
        }
    }

    private void handleMessage(byte[] raw) {
        JsonNode message;
        try {
            message = JSON.readTree(raw);
        } catch (IOException e) {
            LOG.warn("mongocache: ignoring a malformed invalidation message ({} bytes)", raw.length);
            flush("a malformed message");
            return;
        }
        received.increment();
        String type = message.path("type").asText();
        String node = message.path("node").asText();
        long messageEpoch = message.path("epoch").asLong();
        long seq = message.path("seq").asLong();
        if (node.equals(nodeId)) {
            if (type.equals("H") && messageEpoch == epoch) {
                synchronized (proofMonitor) {
                    lastProofSentNanos = Math.max(lastProofSentNanos, message.path("sent").asLong());
                    proven = true;
                    proofMonitor.notifyAll();
                }
            }
            return;
        }
        synchronized (peers) {
            Peer peer = peers.get(node);
            if (type.equals("D")) {
                if (peer != null && (peer.epoch() != messageEpoch || seq != peer.lastSequence() + 1)) {
                    gaps.increment();
                    flush("a gap in the messages of node " + node);
                }
                peers.put(node, new Peer(messageEpoch, seq));
                applyRemote.accept(decode(message));
            } else if (type.equals("H")) {
                if (peer != null && (peer.epoch() != messageEpoch || seq > peer.lastSequence())) {
                    gaps.increment();
                    flush("node " + node + " sent messages this node did not receive");
                }
                if (peer == null || peer.epoch() != messageEpoch || seq > peer.lastSequence()) {
                    peers.put(node, new Peer(messageEpoch, seq));
                }
            }
        }
    }

    private static Invalidation decode(JsonNode message) {
        Invalidation.Kind kind = Invalidation.Kind.valueOf(message.path("kind").asText("EVERYTHING"));
        String ns = message.path("ns").asText("");
        JsonNode stripesNode = message.path("stripes");
        int[] stripes = new int[stripesNode.size()];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = stripesNode.get(i).asInt();
        }
        return new Invalidation(kind, ns, stripes);
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
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

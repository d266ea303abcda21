package io.mongocache.coordination;

import com.mongodb.MongoClientSettings;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoDatabase;
import io.mongocache.common.Checks;
import io.mongocache.common.DaemonThreadFactory;
import io.mongocache.common.Masking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DocumentCodec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads delegated between nodes over Redis: a node whose pool for a database is saturated asks a peer that
 * advertises free capacity there to run the read and send the result back.
 *
 * <p>Protocol — BSON messages on each node's own channel, every one carrying the request's correlation id:
 * <ol>
 *   <li>The caller publishes {@code req} (reply channel, remaining deadline, the read) to one peer.
 *   <li>The peer, on its event thread, takes a serving permit without blocking and checks its own pool: it answers
 *       {@code nack} (saturated) or {@code ack}, then runs the read on a worker with {@code maxTime} set to the
 *       remaining deadline, sending {@code alive} every third of the ack timeout, the result in {@code chunk}s of
 *       about {@code chunkBytes} (numbered; the last one marked), or {@code err}.
 *   <li>The caller waits at most the ack timeout for the ack and, after it, for each next message; silence means
 *       the peer died: it tries the next peer. At most {@code maxAttempts} peers, never past the caller's
 *       deadline, one hop (a peer never delegates further). When none can serve:
 *       {@link NoPeerAvailableException}.
 * </ol>
 * A reply whose correlation id is no longer pending (late, after a retry elsewhere) is dropped and counted. The
 * pending entry of a request is removed when its caller returns or throws, so none outlives its deadline.
 *
 * <p>Concurrency: a caller waits on its own thread, on a queue of its own keyed by the correlation id; every
 * message arrives on Lettuce's event thread, which never blocks — it hands a reply to its queue, or answers a
 * request with {@code nack} or {@code ack} and gives the read to a worker. At most {@code servingPermits} reads run
 * for peers at once (a semaphore taken without waiting: a request beyond it is refused, never queued); keep-alives
 * run on one scheduler thread. Failure modes: a peer that never answers, or stops answering, costs its caller one
 * {@code ackTimeout} of silence before the next peer is tried; a bad query fails with {@link DelegationException}
 * wherever it runs, and a result over {@code maxBytes} with {@link ResultTooLargeException}; every other failure
 * ends in {@link NoPeerAvailableException}, never past the caller's deadline.
 *
 * <p>Why one class of this size: both ends of the protocol (asking and serving) share the message format, the
 * correlation table and the one subscription, and each step above is a few lines of it; {@link ReadRequest} holds
 * the read itself and {@link ReadRouting} decides when to delegate.
 */
@ThreadSafe
public final class Delegation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Delegation.class);
    private static final BsonDocumentCodec BSON = new BsonDocumentCodec();
    private static final DocumentCodec DOCUMENTS = new DocumentCodec(MongoClientSettings.getDefaultCodecRegistry());

    /**
     * Counters since start.
     *
     * @param delegated reads a peer answered for this node
     * @param noPeer reads that ended in {@link NoPeerAvailableException}
     * @param retries attempts after the first one of a read
     * @param served reads this node answered for peers
     * @param refused requests this node refused (no permit or its own pool saturated)
     * @param lateReplies messages for requests no longer pending
     * @param pending requests waiting for a reply now
     */
    public record Stats(long delegated, long noPeer, long retries, long served, long refused, long lateReplies,
            int pending) {}

    private final String nodeId;
    private final String channel;
    private final RedisTransport transport;
    private final DelegationSettings settings;
    private final Function<String, MongoDatabase> databases;
    private final ToIntFunction<String> freeCapacity;
    private final Supplier<List<NodeRegistry.Peer>> peers;
    private final Set<String> openDatabases;
    private final Map<String, BlockingQueue<BsonDocument>> pending = new ConcurrentHashMap<>();
    private final Semaphore permits;
    private final ExecutorService workers;
    private final ScheduledExecutorService keepAlive;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong delegated = new AtomicLong();
    private final AtomicLong noPeer = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private volatile boolean closed;

    Delegation(String nodeId, String channel, RedisTransport transport, DelegationSettings settings,
            Set<String> openDatabases, Function<String, MongoDatabase> databases, ToIntFunction<String> freeCapacity,
            Supplier<List<NodeRegistry.Peer>> peers) {
        this.openDatabases = Set.copyOf(openDatabases);
        this.nodeId = nodeId;
        this.channel = channel;
        this.transport = transport;
        this.settings = settings;
        this.databases = databases;
        this.freeCapacity = freeCapacity;
        this.peers = peers;
        this.permits = new Semaphore(settings.servingPermits());
        this.workers = Executors.newFixedThreadPool(settings.servingPermits(),
                DaemonThreadFactory.numbered("mongocache-delegate-"));
        this.keepAlive =
                Executors.newSingleThreadScheduledExecutor(DaemonThreadFactory.numbered("mongocache-delegate-alive-"));
        try {
            transport.subscribe(channel, this::onMessage);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The channel peers send this node's requests and replies to. */
    public String channel() {
        return channel;
    }

    public Stats stats() {
        return new Stats(delegated.get(), noPeer.get(), retries.get(), served.get(), refused.get(), late.get(),
                pending.size());
    }

    /**
     * Has a peer run {@code request}, within {@code deadline}.
     *
     * @throws NoPeerAvailableException if no peer could serve it in time or within {@code maxAttempts}
     * @throws DelegationException if the peer that ran it reported an error (a bad query fails everywhere)
     * @throws IllegalArgumentException if {@code deadline} is not positive
     */
    public List<Document> read(ReadRequest request, Duration deadline) {
        return documents(readRaw(request, deadline));
    }

    /** Decodes raw results the way the driver's default registry decodes {@code Document}s. */
    static List<Document> documents(List<RawBsonDocument> raw) {
        List<Document> docs = new ArrayList<>(raw.size());
        for (RawBsonDocument doc : raw) {
            docs.add(doc.decode(DOCUMENTS));
        }
        return docs;
    }

    /**
     * Like {@link #read} but returns the documents as the peer's raw BSON, for callers that decode them with their
     * own codecs (the cache's delegated misses).
     */
    public List<RawBsonDocument> readRaw(ReadRequest request, Duration deadline) {
        return readRaw(request, deadline, Long.MAX_VALUE);
    }

    /**
     * Like {@link #readRaw(ReadRequest, Duration)}, receiving at most {@code maxBytes} of BSON: the peer stops
     * sending past it, and so does this side (against a peer that does not know the limit).
     *
     * @throws ResultTooLargeException if the result is larger than {@code maxBytes}
     * @throws IllegalArgumentException if {@code maxBytes} is not positive
     */
    public List<RawBsonDocument> readRaw(ReadRequest request, Duration deadline, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        Checks.positive("deadline", deadline);
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        long end = System.nanoTime() + deadline.toNanos();
        List<String> reasons = new ArrayList<>();
        Set<String> tried = new HashSet<>();
        int attempts = 0;
        while (attempts < settings.maxAttempts()) {
            if (end - System.nanoTime() <= 0) {
                reasons.add("deadline of " + deadline.toMillis() + " ms passed");
                break;
            }
            NodeRegistry.Peer peer = choose(request.database(), tried);
            if (peer == null) {
                reasons.add(attempts == 0 ? "no other live node advertises free capacity"
                        : "no further peer advertises free capacity");
                break;
            }
            tried.add(peer.nodeId());
            if (attempts++ > 0) {
                retries.incrementAndGet();
            }
            Outcome outcome = attempt(peer, request, end, maxBytes);
            if (outcome.result != null) {
                delegated.incrementAndGet();
                return outcome.result;
            }
            reasons.add(peer.nodeId() + ": " + outcome.reason);
        }
        noPeer.incrementAndGet();
        throw new NoPeerAvailableException(request.database(), attempts, reasons);
    }

    private NodeRegistry.@Nullable Peer choose(String database, Set<String> tried) {
        List<NodeRegistry.Peer> candidates = new ArrayList<>();
        for (NodeRegistry.Peer p : peers.get()) {
            if (!p.nodeId().equals(nodeId) && p.channel() != null && !tried.contains(p.nodeId())
                    && p.capacity(database) > 0) {
                candidates.add(p);
            }
        }
        Collections.shuffle(candidates);
        return candidates.stream().max((a, b) -> Integer.compare(a.capacity(database), b.capacity(database)))
                .orElse(null);
    }

    private record Outcome(@Nullable List<RawBsonDocument> result, String reason) {}

    private Outcome attempt(NodeRegistry.Peer peer, ReadRequest request, long end, long maxBytes) {
        String id = nodeId + ":" + ids.incrementAndGet();
        BlockingQueue<BsonDocument> replies = new LinkedBlockingQueue<>();
        pending.put(id, replies);
        try {
            long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
            BsonDocument message = new BsonDocument("t", new BsonString("req")).append("id", new BsonString(id))
                    .append("replyTo", new BsonString(channel)).append("deadlineMillis", new BsonInt64(remainingMillis))
                    .append("read", request.toBson());
            if (maxBytes != Long.MAX_VALUE) {
                message.append("maxBytes", new BsonInt64(maxBytes));
            }
            long receivers;
            try {
                receivers = transport.publish(peer.channel(), encode(message)).toCompletableFuture()
                        .get(Math.min(remainingMillis, settings.ackTimeout().toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(null, "interrupted");
            } catch (Exception e) {
                return new Outcome(null, "could not send (" + e.getClass().getSimpleName() + ")");
            }
            if (receivers == 0 && transport.countsEveryReceiver()) {
                return new Outcome(null, "not listening");
            }
            BsonDocument first = poll(replies, end);
            if (first == null) {
                return new Outcome(null, "no ack within " + settings.ackTimeout().toMillis() + " ms");
            }
            String type = first.getString("t").getValue();
            if (type.equals("nack")) {
                return new Outcome(null, "refused (" + text(first, "reason") + ")");
            }
            if (!type.equals("ack")) {
                return new Outcome(null, "answered " + type + " before its ack");
            }
            List<RawBsonDocument> docs = new ArrayList<>();
            long received = 0;
            int expected = 0;
            while (true) {
                BsonDocument m = poll(replies, end);
                if (m == null) {
                    return new Outcome(null, end - System.nanoTime() <= 0 ? "deadline passed while it ran the read"
                            : "went silent after its ack");
                }
                switch (m.getString("t").getValue()) {
                    case "alive" -> { }
                    case "chunk" -> {
                        int seq = m.getInt32("seq").getValue();
                        if (seq != expected++) {
                            return new Outcome(null, "chunk " + seq + " arrived, " + (expected - 1) + " expected");
                        }
                        for (BsonValue d : m.getArray("docs")) {
                            RawBsonDocument doc = d instanceof RawBsonDocument raw ? raw
                                    : new RawBsonDocument(d.asDocument(), BSON);
                            received += doc.getByteBuffer().remaining();
                            if (received > maxBytes) {
                                throw tooLarge(peer, request, maxBytes);
                            }
                            docs.add(doc);
                        }
                        if (m.getBoolean("last").getValue()) {
                            return new Outcome(docs, "");
                        }
                    }
                    case "err" -> {
                        if (m.getBoolean("tooLarge", BsonBoolean.FALSE).getValue()) {
                            throw tooLarge(peer, request, maxBytes);
                        }
                        if (m.getBoolean("retry", BsonBoolean.FALSE).getValue()) {
                            return new Outcome(null, "could not run it (" + text(m, "error") + ")");
                        }
                        throw new DelegationException("peer " + peer.nodeId() + " failed the read " + request + ": "
                                + text(m, "error"));
                    }
                    default -> { }
                }
            }
        } catch (org.bson.BSONException | ClassCastException e) {
            return new Outcome(null, "sent a malformed reply (" + e.getClass().getSimpleName() + ")");
        } finally {
            pending.remove(id);
        }
    }

    private ResultTooLargeException tooLarge(NodeRegistry.Peer peer, ReadRequest request, long maxBytes) {
        return new ResultTooLargeException("the result of " + request + " from peer " + peer.nodeId()
                + " exceeds maxBytes (" + maxBytes + ")");
    }

    private static String text(BsonDocument message, String field) {
        BsonValue v = message.get(field);
        return v != null && v.isString() ? v.asString().getValue() : "?";
    }

    private @Nullable BsonDocument poll(BlockingQueue<BsonDocument> replies, long end) {
        long wait = Math.min(settings.ackTimeout().toNanos(), end - System.nanoTime());
        if (wait <= 0) {
            return null;
        }
        try {
            return replies.poll(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Lettuce's event thread: never blocks. */
    private void onMessage(byte[] bytes) {
        BsonDocument message;
        try {
            message = new RawBsonDocument(bytes);
            String type = message.getString("t").getValue();
            String id = message.getString("id").getValue();
            if (type.equals("req")) {
                onRequest(id, message);
                return;
            }
            BlockingQueue<BsonDocument> replies = pending.get(id);
            if (replies == null) {
                late.incrementAndGet();
            } else {
                replies.offer(message);
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: dropped a malformed delegation message", e);
        }
    }

    private void onRequest(String id, BsonDocument message) {
        String replyTo;
        long deadlineMillis;
        long maxBytes;
        ReadRequest request;
        try {
            replyTo = message.getString("replyTo").getValue();
            deadlineMillis = message.getNumber("deadlineMillis").longValue();
            maxBytes = message.containsKey("maxBytes") ? message.getNumber("maxBytes").longValue() : Long.MAX_VALUE;
        } catch (org.bson.BSONException e) {
            LOG.debug("mongocache: dropped a delegation request without a reply channel or deadline");
            return;
        }
        try {
            request = ReadRequest.fromBson(message.getDocument("read"));
        } catch (IllegalArgumentException | org.bson.BSONException e) {
            reply(replyTo, id, "err", new BsonDocument("error", new BsonString(String.valueOf(e.getMessage()))));
            return;
        }
        if (!openDatabases.contains(request.database())) {
            refused.incrementAndGet();
            reply(replyTo, id, "nack", new BsonDocument("reason", new BsonString("database not open to delegation")));
            return;
        }
        if (closed || deadlineMillis <= 0 || freeCapacity.applyAsInt(request.database()) <= 0
                || !permits.tryAcquire()) {
            refused.incrementAndGet();
            reply(replyTo, id, "nack", new BsonDocument("reason", new BsonString(closed ? "closing" : "saturated")));
            return;
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        reply(replyTo, id, "ack", new BsonDocument());
        try {
            workers.execute(() -> serve(id, replyTo, request, end, maxBytes));
        } catch (RuntimeException e) {
            permits.release();
            reply(replyTo, id, "err", new BsonDocument("error", new BsonString("closing"))
                    .append("retry", BsonBoolean.TRUE));
        }
    }

    private void serve(String id, String replyTo, ReadRequest request, long end, long maxBytes) {
        ScheduledFuture<?> alive = null;
        try {
            if (end - System.nanoTime() <= 0) {
                return; // the caller has given up already
            }
            long every = Math.max(1, settings.ackTimeout().toMillis() / 3);
            alive = keepAlive.scheduleAtFixedRate(() -> reply(replyTo, id, "alive", new BsonDocument()), every, every,
                    TimeUnit.MILLISECONDS);
            Chunks chunks = new Chunks(replyTo, id, end, maxBytes);
            // The client-side operation timeout bounds everything, waiting for a connection included.
            long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
            request.run(databases.apply(request.database()).withTimeout(remaining, TimeUnit.MILLISECONDS),
                    chunks::add);
            chunks.send(true);
            served.incrementAndGet();
        } catch (Chunks.TooLarge e) {
            reply(replyTo, id, "err", new BsonDocument("error", new BsonString("the result exceeds maxBytes"))
                    .append("tooLarge", BsonBoolean.TRUE));
        } catch (RuntimeException e) {
            // Infrastructure trouble or the deadline: the caller may try another peer. A bad query fails anywhere.
            boolean retry = e instanceof com.mongodb.MongoTimeoutException
                    || e instanceof com.mongodb.MongoOperationTimeoutException
                    || e instanceof com.mongodb.MongoExecutionTimeoutException
                    || e instanceof com.mongodb.MongoSocketException || e instanceof Chunks.Expired
                    || e instanceof java.util.concurrent.RejectedExecutionException;
            // The message names the failure, never the connection string.
            reply(replyTo, id, "err", new BsonDocument("error", new BsonString(e.getClass().getSimpleName() + ": "
                    + Masking.inText(String.valueOf(e.getMessage()))))
                    .append("retry", BsonBoolean.valueOf(retry)));
        } finally {
            if (alive != null) {
                alive.cancel(false);
            }
            permits.release();
        }
    }

    /** Cuts a result into numbered messages of about {@code chunkBytes}. */
    private final class Chunks {
        /** The caller's deadline passed while the result was being sent. */
        static final class Expired extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Expired() {
                super("the caller's deadline passed", null, false, false);
            }
        }

        /** The result grew past the caller's {@code maxBytes}: nothing more is sent. */
        static final class TooLarge extends RuntimeException {
            private static final long serialVersionUID = 1L;

            TooLarge() {
                super("the result exceeds the caller's maxBytes", null, false, false);
            }
        }

        private final String replyTo;
        private final String id;
        private final long end;
        private final long maxBytes;
        private BsonArray docs = new BsonArray();
        private int bytes;
        private long total;
        private int seq;

        Chunks(String replyTo, String id, long end, long maxBytes) {
            this.replyTo = replyTo;
            this.id = id;
            this.end = end;
            this.maxBytes = maxBytes;
        }

        void add(RawBsonDocument raw) {
            if (end - System.nanoTime() <= 0) {
                throw new Expired();
            }
            int size = raw.getByteBuffer().remaining();
            total += size;
            if (total > maxBytes) {
                throw new TooLarge();
            }
            docs.add(raw);
            bytes += size;
            if (bytes >= settings.chunkBytes()) {
                send(false);
            }
        }

        void send(boolean last) {
            reply(replyTo, id, "chunk", new BsonDocument("seq", new BsonInt32(seq++)).append("last",
                    BsonBoolean.valueOf(last)).append("docs", docs));
            docs = new BsonArray();
            bytes = 0;
        }
    }

    private void reply(String replyTo, String id, String type, BsonDocument body) {
        BsonDocument message = new BsonDocument("t", new BsonString(type)).append("id", new BsonString(id));
        body.forEach(message::append);
        transport.publish(replyTo, encode(message)).whenComplete((n, e) -> {
            if (e != null) {
                LOG.debug("mongocache: delegation reply {} to {} failed: {}", type, replyTo, e.toString());
            }
        });
    }

    private static byte[] encode(BsonDocument message) {
        ByteBuffer buffer = new RawBsonDocument(message, BSON).getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Stops serving peers (new requests are refused) and closes the Redis connections. */
    @Override
    public void close() {
        closed = true;
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        keepAlive.shutdownNow();
        transport.close();
    }
}

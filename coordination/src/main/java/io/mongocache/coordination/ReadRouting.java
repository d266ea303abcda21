package io.mongocache.coordination;

import io.mongocache.pooling.MongoPools;
import io.mongocache.spi.CacheHooks;
import io.mongocache.spi.ReadDelegate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a delegated database's reads run: here while this node's pool has room, else on a peer over the
 * {@link Delegation} channel (which also serves the peers' reads). It is both the coordinator's
 * {@code read(…)} and the cache's {@link ReadDelegate}.
 *
 * <p>Concurrency: the channel is connected on the coordinator's background thread and published through a
 * volatile field; until it is (Redis unreachable), a saturated read fails with {@link NoPeerAvailableException}
 * and a cache miss runs here. Reads may come from any thread.
 */
final class ReadRouting implements ReadDelegate {
    private static final Logger LOG = LoggerFactory.getLogger(ReadRouting.class);

    private final Coordinator.Settings config;
    private final String channel;
    private final CacheHooks.SharedRedis redis;
    private final MongoPools pools;
    private final ScheduledExecutorService background;
    private final Supplier<List<NodeRegistry.Peer>> alive;
    private volatile @Nullable Delegation delegation;
    private volatile boolean closed;

    ReadRouting(Coordinator.Settings config, String channel, ScheduledExecutorService background,
            Supplier<List<NodeRegistry.Peer>> alive) {
        this.config = config;
        this.channel = channel;
        this.redis = java.util.Objects.requireNonNull(config.redis, "start() refuses delegation without Redis");
        this.pools = java.util.Objects.requireNonNull(config.pools, "start() refuses delegation without pools");
        this.background = background;
        this.alive = alive;
    }

    /**
     * Connects the delegation channel; while Redis is unreachable it retries every 2 s, and until then a saturated
     * read fails with {@link NoPeerAvailableException} and peers asking this node find nobody listening.
     */
    void connect() {
        if (closed) {
            return;
        }
        try {
            Delegation d = new Delegation(config.nodeId, channel, RedisTransport.connect(redis,
                    config.delegation.ackTimeout()), config.delegation, Set.copyOf(config.delegated),
                    pools::database, db -> pools.pools().freeConnections(db), alive);
            delegation = d;
            if (closed) {
                d.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("mongocache: delegation channel not connected ({}); retrying in 2 s",
                    io.mongocache.common.Masking.inText(e.toString()));
            background.schedule(this::connect, 2, TimeUnit.SECONDS);
        }
    }

    /** The connected channel, if it is. */
    Optional<Delegation> delegation() {
        return Optional.ofNullable(delegation);
    }

    /** See {@link Coordinator#read}. */
    List<Document> read(ReadRequest request, Duration deadline) {
        if (!config.delegated.contains(request.database())) {
            throw new DelegationException("read: database '" + request.database()
                    + "' is not open to delegation (Coordinator.Builder.delegate(...): " + config.delegated + ")");
        }
        if (!pools.pools().isSaturated(request.database())) {
            List<RawBsonDocument> out = new ArrayList<>();
            request.run(pools.database(request.database()).withTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS),
                    out::add);
            return Delegation.documents(out);
        }
        Delegation d = delegation;
        if (d == null) {
            throw new NoPeerAvailableException(request.database(), 0,
                    List.of("this node's delegation channel is not connected (Redis unreachable)"));
        }
        return d.read(request, deadline);
    }

    void close() {
        closed = true;
        Delegation d = delegation;
        if (d != null) {
            d.close();
        }
    }

    // The cache's read delegate: a miss on a delegated database whose pool is saturated runs on a peer; when no
    // peer can serve within missDeadline it runs here after all (waiting for a connection, as without delegation)
    // — a cached read never fails because of delegation.

    @Override
    public @Nullable List<RawBsonDocument> find(String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit) {
        return find(database, collection, filter, projection, sort, skip, limit, Long.MAX_VALUE);
    }

    @Override
    public @Nullable List<RawBsonDocument> find(String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit, long maxBytes) {
        return elsewhere(database, () -> ReadRequest.find(database, collection, filter).projection(projection)
                .sort(sort).skip(skip).limit(limit), maxBytes);
    }

    @Override
    public @Nullable List<RawBsonDocument> aggregate(String database, String collection,
            List<BsonDocument> pipeline) {
        return aggregate(database, collection, pipeline, Long.MAX_VALUE);
    }

    @Override
    public @Nullable List<RawBsonDocument> aggregate(String database, String collection, List<BsonDocument> pipeline,
            long maxBytes) {
        return elsewhere(database, () -> ReadRequest.aggregate(database, collection, pipeline), maxBytes);
    }

    @Override
    public @Nullable Long count(String database, String collection, BsonDocument filter) {
        List<RawBsonDocument> result = elsewhere(database, () -> ReadRequest.count(database, collection, filter),
                Long.MAX_VALUE);
        if (result == null || result.size() != 1 || !result.get(0).isNumber("n")) {
            return null;
        }
        return result.get(0).getNumber("n").longValue();
    }

    private @Nullable List<RawBsonDocument> elsewhere(String database, Supplier<ReadRequest> request,
            long maxBytes) {
        Delegation d = delegation;
        if (d == null || !config.delegated.contains(database) || !pools.pools().isSaturated(database)) {
            return null;
        }
        try {
            return d.readRaw(request.get(), config.missDeadline, maxBytes);
        } catch (DelegationException | IllegalArgumentException e) {
            LOG.debug("mongocache: delegating a miss on {} failed ({}); running it here", database, e.getMessage());
            return null;
        }
    }
}

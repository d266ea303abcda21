package io.mongocache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mongocache.invalidation.CollectionCollation;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node knows of each namespace's default collation: asked from the server once (its
 * {@code listIndexes} reply, read by the analyzer), kept until the namespace is invalidated as a whole — a drop, a
 * rename or a re-creation always is, on every node — and bounded to {@value #MAX_NAMESPACES} namespaces. Only
 * operations whose ids a collation could affect (strings) ask, so collections keyed by ObjectIds or numbers never
 * cost a round trip.
 *
 * <p>Concurrency: one thread asks the server for a namespace at a time; it first puts a pending marker, and
 * installs its answer only if that marker is still there, so an answer that raced a forget (the collection was
 * dropped while the question was on the wire) is never kept. Threads that find the marker do not wait: they get
 * {@link CollectionCollation#UNKNOWN}, which only costs precision. Failure modes: a failing question (no
 * {@code listIndexes} privilege, a view, a timeout) is logged at WARN and answered UNKNOWN for
 * {@link #FAILURE_RETRY}; an answer that says nothing (no {@code _id} index: the collection does not exist yet)
 * is UNKNOWN for {@link #UNKNOWN_RETRY}. UNKNOWN is always safe: string ids are then invalidated namespace-wide.
 * A collection dropped and re-created with another collation by another program, with no coordinator watching,
 * is not noticed until the namespace is next invalidated here or the bound evicts it.
 */
final class CollectionCollations {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionCollations.class);
    static final int MAX_NAMESPACES = 10_000;
    static final Duration UNKNOWN_RETRY = Duration.ofSeconds(1);
    static final Duration FAILURE_RETRY = Duration.ofMinutes(1);
    private static final Duration KEEP = Duration.ofDays(365);

    /**
     * An answer and how long it is kept. Compared by identity, so a pending marker is replaced only by the thread
     * that put it, and only while no forget removed it.
     */
    private static final class Learned {
        final CollectionCollation value;
        final Duration lifetime;

        Learned(CollectionCollation value, Duration lifetime) {
            this.value = value;
            this.lifetime = lifetime;
        }
    }

    private final Cache<String, Learned> known;

    CollectionCollations(Ticker ticker) {
        this.known = Caffeine.newBuilder()
                .maximumSize(MAX_NAMESPACES)
                .ticker(ticker)
                .expireAfter(Expiry.writing((String namespace, Learned learned) -> learned.lifetime))
                .build();
    }

    /**
     * The namespace's default collation: known, or asked now with {@code listIndexes} and read with
     * {@code parse}.
     */
    CollectionCollation of(String namespace, Supplier<List<BsonDocument>> listIndexes,
            Function<List<BsonDocument>, CollectionCollation> parse) {
        Learned current = known.getIfPresent(namespace);
        if (current != null) {
            return current.value;
        }
        Learned pending = new Learned(CollectionCollation.UNKNOWN, FAILURE_RETRY);
        if (known.asMap().putIfAbsent(namespace, pending) != null) {
            return CollectionCollation.UNKNOWN;
        }
        Learned answer;
        try {
            CollectionCollation value = parse.apply(listIndexes.get());
            answer = new Learned(value, value.kind() == CollectionCollation.Kind.UNKNOWN ? UNKNOWN_RETRY
                    : KEEP);
        } catch (RuntimeException e) {
            LOG.warn("mongocache: could not read the default collation of {} ({}); writes by string _id there "
                    + "invalidate the namespace for the next {}", namespace, e.toString(), FAILURE_RETRY);
            answer = new Learned(CollectionCollation.UNKNOWN, FAILURE_RETRY);
        }
        return known.asMap().replace(namespace, pending, answer) ? answer.value : CollectionCollation.UNKNOWN;
    }

    /** Forgets a namespace's collation: it may have been dropped and re-created. */
    void forget(String namespace) {
        known.invalidate(namespace);
    }

    /** Forgets every namespace's collation. */
    void forgetAll() {
        known.invalidateAll();
    }
}

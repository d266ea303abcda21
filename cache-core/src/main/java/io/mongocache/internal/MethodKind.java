package io.mongocache.internal;

import org.jspecify.annotations.Nullable;

/**
 * What a {@code MongoCollection} method is to the cache, and so how the proxy runs it ({@link CollectionRoutes} maps
 * every method to one). The first four kinds are <em>typed</em>: {@link CachedCollectionImpl} implements them in
 * plain Java, because they return the cache's own types or sit on the read path. Every other kind is left abstract
 * there; the generated subclass hands it to {@link CollectionWrites}, which calls the driver's method through a
 * method handle and invalidates as the kind says — before the call returns, whatever its outcome.
 *
 * <p>Session overloads are derived ({@link #withSession}): a method whose first parameter is a
 * {@code ClientSession} has the kind of the same method without it, except that a read with a session bypasses the
 * cache. A write passes the session on and is recorded on it ({@link SessionWrites}), so that
 * {@code MongoCache.transaction} invalidates it again when the transaction ends.
 *
 * <p>Concurrency: an immutable enum.
 */
enum MethodKind {
    /** Served from the cache ({@code find}, {@code countDocuments}, …). Typed: returns a cached iterable or value. */
    CACHED_READ(true),
    /**
     * {@code aggregate}: a cached read, or — with a final {@code $out}/{@code $merge} — a write whose target is
     * invalidated when it ran. Typed, with or without a session: the returned iterable is the cache's own either way.
     */
    PIPELINE(true),
    /** This view's settings ({@code getNamespace}, …, {@code unwrap}). Typed: every cached read asks them. */
    SETTINGS(true),
    /** Another view of the collection, wrapped like this one ({@code withX}, {@code noCache}, {@code db}). Typed. */
    VIEW(true),
    /** Passes through to the driver and invalidates nothing ({@code watch}, {@code listIndexes}, session reads). */
    PASS_THROUGH_READ(false),
    /**
     * Changes only what its filter (the first argument) matches: {@code WriteAnalysis.filtered} under the write's own
     * collation, computed before it runs; an upsert adds what its result names ({@code WriteAnalysis.upserted}).
     */
    FILTERED_WRITE(false),
    /** What it changed is named by its result: the inserted ids, a bulk write's models and ids. */
    RESULT_WRITE(false),
    /** Changes the collection as a whole (drop, index changes, rename): its namespace and any namespace argument. */
    NAMESPACE_WRITE(false),
    /**
     * May write to any collection ({@code mapReduce}: its output is known only when it runs): the returned iterable
     * invalidates every namespace each time it may have run.
     */
    ANY_NAMESPACE_WRITE(false),
    /**
     * The rule for methods the table does not know — a newer driver's — and for the few listed with it on purpose:
     * passes through, then invalidates the namespace unless the name is one of
     * {@link CollectionRoutes#READ_ONLY_NAMES}.
     */
    UNKNOWN(false);

    private final boolean typed;

    MethodKind(boolean typed) {
        this.typed = typed;
    }

    /** Whether {@link CachedCollectionImpl} implements methods of this kind itself (else they are dispatched). */
    boolean typed() {
        return typed;
    }

    /** Whether a call of this kind may change data, so that a session it runs with must record it. */
    boolean mayWrite() {
        return this != PASS_THROUGH_READ && !typed;
    }

    /**
     * The kind of the same method with a leading {@code ClientSession}: reads with a session bypass the cache,
     * everything else keeps its kind. Null where a session overload makes no sense (settings and views): should the
     * driver add one, the table must say what it is.
     */
    @Nullable MethodKind withSession() {
        return switch (this) {
            case CACHED_READ, PASS_THROUGH_READ -> PASS_THROUGH_READ;
            case SETTINGS, VIEW -> null;
            default -> this;
        };
    }
}

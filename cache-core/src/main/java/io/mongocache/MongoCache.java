package io.mongocache;

import com.mongodb.MongoNamespace;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoCollection;

/**
 * A transparent two-tier cache for MongoDB reads.
 *
 * <pre>{@code
 * MongoCache cache = MongoCache.builder()
 *     .redis("redis://127.0.0.1:6379")      // optional: without it, L1 only
 *     .maxLocalBytes(256L * 1024 * 1024)
 *     .defaultTtl(Duration.ofMinutes(5))
 *     .build();
 * CachedCollection<Document> users = cache.wrap(db.getCollection("users"));
 * }</pre>
 *
 * <p>One instance per process is the normal shape: it owns the local tier, the Redis connection and a small
 * scheduler. Close it when the application stops.
 */
@ThreadSafe
public interface MongoCache extends AutoCloseable {

    /** Starts a builder with every setting at its documented default. */
    static MongoCacheBuilder builder() {
        return new MongoCacheBuilder();
    }

    /**
     * Wraps a driver collection. The result is a {@code MongoCollection} that behaves exactly like the one given,
     * with reads served from the cache where that is safe and writes invalidating what they changed.
     *
     * <p>Wrapping a collection this cache wrapped returns it unchanged. Every call on the result throws
     * {@link MongoCacheClosedException} once this cache is closed.
     *
     * @throws IllegalArgumentException if {@code collection} is null, or was wrapped by another {@code MongoCache}
     *     (a second layer would not see the first one's writes)
     * @throws MongoCacheClosedException if this cache was closed
     */
    <T> CachedCollection<T> wrap(MongoCollection<T> collection);

    /**
     * Wraps a database: every collection taken from it is cached as by {@link #wrap(MongoCollection)}, and its own
     * methods that can change data invalidate (rules on {@link CachedDatabase}). For code that is handed a database
     * and takes collections itself, such as a template or a framework's database factory. Wrapping a database this
     * cache already wrapped returns it as it is.
     *
     * @throws IllegalArgumentException if {@code database} is null or wrapped by another cache
     * @throws MongoCacheClosedException if this cache is closed
     */
    CachedDatabase wrap(com.mongodb.client.MongoDatabase database);

    /** A consistent-enough snapshot of hits, misses, loads, evictions, errors and bytes, per namespace and tier. */
    CacheStats stats();

    /** Forgets every cached result of one namespace, in both tiers. Never throws for Redis faults. */
    void invalidate(MongoNamespace namespace);

    /**
     * Applies an invalidation as if a write through this node had made it: on this node, in Redis and on the
     * channel to every other node — for writes this library did not see (the change-stream watcher). Modules
     * that need to know whether the other nodes learnt of it use {@link io.mongocache.spi.CacheHooks}.
     *
     * @throws IllegalArgumentException if null
     */
    void invalidate(io.mongocache.invalidation.Invalidation invalidation);

    /** Forgets every cached result of every namespace on this node, and in Redis for the namespaces it knows. */
    void invalidateAll();

    /**
     * Waits until this node has applied every invalidation that any node published before this call — for tests
     * and for hand-offs where one node must read what another just wrote. Without Redis there are no other
     * nodes, and this returns true at once.
     *
     * @return true if this node is current, false if the timeout passed first (Redis unreachable, say)
     * @throws IllegalArgumentException if the timeout is null or negative
     */
    boolean awaitInvalidations(java.time.Duration timeout) throws InterruptedException;

    /**
     * Runs {@code body} in a transaction of {@code session} (the driver's {@code withTransaction}: commit on
     * success, abort on failure, retries on transient errors) and invalidates what its writes through cached
     * collections changed once more after it ended. Writes in a transaction are invalidated when made, like every
     * write; between then and the commit another thread may read and cache the pre-commit data, which the second
     * invalidation retires. Run transactional writes through this method rather than committing by hand.
     *
     * @throws IllegalArgumentException if an argument is null
     */
    <T> T transaction(com.mongodb.client.ClientSession session, com.mongodb.client.TransactionBody<T> body);

    /** {@link #transaction(com.mongodb.client.ClientSession, com.mongodb.client.TransactionBody)} with options. */
    <T> T transaction(com.mongodb.client.ClientSession session, com.mongodb.client.TransactionBody<T> body,
            com.mongodb.TransactionOptions options);

    /**
     * Invalidates, once more, what the writes of {@code session}'s transaction changed — for transactions run
     * elsewhere (e.g. {@code MongoPools.transaction} with {@code settings.onEnd(cache::afterTransaction)}). Call it
     * after the transaction committed or aborted.
     */
    void afterTransaction(com.mongodb.client.ClientSession session);

    /**
     * Invalidates every cached result of a database, on every node (for {@code dropDatabase} and bulk replaces).
     * Implemented as a flush of everything: dropping a database is rare, and other nodes may cache namespaces of
     * it that this node has never seen.
     *
     * @throws IllegalArgumentException if {@code database} is not a valid database name (as for
     *     {@link CachedCollection#db})
     */
    void invalidateDatabase(String database);

    /** Whether {@link #close()} was called: wrapped collections then refuse every call. */
    boolean isClosed();

    /** The immutable configuration this cache was built with. */
    MongoCacheConfig config();

    /** Releases the Redis connection and the scheduler. Wrapped collections then pass reads straight through. */
    @Override
    void close();
}

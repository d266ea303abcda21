package io.mongocache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mongocache.CacheStats;
import io.mongocache.NamespaceStats;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-namespace counters (striped, so hot paths never contend on one cache line) in a table bounded to the
 * {@code maxTrackedNamespaces} most recently used namespaces, and exact totals over every namespace ever counted.
 *
 * <p>A row evicted from the table is folded into the totals of retired rows, so totals keep counting everything;
 * a namespace used again gets a fresh row. Concurrency: an increment that races with the eviction of its row may
 * miss the totals (the row is folded once, when evicted). Failure modes: none. Memory: at most
 * {@code maxTrackedNamespaces} rows of thirteen striped counters, whatever the number of namespaces.
 */
final class StatsRegistry {

    /** The counters of one namespace. */
    static final class Counters {
        private final StatsRegistry registry;
        /** Set when the row leaves the table: holders of a cached reference must look the namespace up again. */
        volatile boolean retired;
        final LongAdder l1Hits = new LongAdder();
        final LongAdder l1Misses = new LongAdder();
        final LongAdder l1Evictions = new LongAdder();
        final LongAdder l1Bytes = new LongAdder();
        final LongAdder l2Hits = new LongAdder();
        final LongAdder l2Misses = new LongAdder();
        final LongAdder l2Errors = new LongAdder();
        final LongAdder loads = new LongAdder();
        final LongAdder loadTimeNanos = new LongAdder();
        final LongAdder reloads = new LongAdder();
        final LongAdder bypasses = new LongAdder();
        final LongAdder uncacheable = new LongAdder();
        final LongAdder invalidations = new LongAdder();
        final LongAdder l2Skipped = new LongAdder();

        Counters(StatsRegistry registry) {
            this.registry = registry;
        }

        void addedToLocal(int bytes) {
            l1Bytes.add(bytes);
            registry.localBytes.add(bytes);
        }

        NamespaceStats snapshot() {
            return new NamespaceStats(l1Hits.sum(), l1Misses.sum(), l1Evictions.sum(), l1Bytes.sum(), l2Hits.sum(),
                    l2Misses.sum(), l2Errors.sum(), loads.sum(), loadTimeNanos.sum(), reloads.sum(), bypasses.sum(),
                    uncacheable.sum(), invalidations.sum(), l2Skipped.sum());
        }
    }

    private final Cache<String, Counters> byNamespace;
    private final Object retiredLock = new Object();
    private NamespaceStats retired = NamespaceStats.EMPTY;
    /** Bytes in the local tier, over every namespace (rows may have been retired while their entries live on). */
    private final LongAdder localBytes = new LongAdder();
    final LongAdder redisErrors = new LongAdder();

    StatsRegistry(int maxTrackedNamespaces) {
        this.byNamespace = Caffeine.newBuilder()
                .maximumSize(maxTrackedNamespaces)
                .executor(Runnable::run)
                .removalListener((String ns, Counters row, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (row != null) {
                        row.retired = true;
                        NamespaceStats s = row.snapshot();
                        synchronized (retiredLock) {
                            retired = retired.plus(s);
                        }
                    }
                })
                .build();
    }

    Counters of(String namespace) {
        Counters c = byNamespace.getIfPresent(namespace);
        return c != null ? c : byNamespace.get(namespace, n -> new Counters(this));
    }

    /**
     * An entry left the local tier: its bytes leave the row that counted them (which may have been retired since),
     * an eviction counts on the namespace's current row, so the totals see it.
     */
    void removedFromLocal(String namespace, Counters row, int bytes, boolean evicted) {
        row.l1Bytes.add(-bytes);
        localBytes.add(-bytes);
        if (evicted) {
            of(namespace).l1Evictions.increment();
        }
    }

    int trackedNamespaces() {
        byNamespace.cleanUp();
        return (int) byNamespace.estimatedSize();
    }

    CacheStats snapshot(boolean redisAvailable, @org.jspecify.annotations.Nullable String redisProblem,
            CacheStats.Channel channel, long localEntries) {
        byNamespace.cleanUp();
        Map<String, NamespaceStats> out = new HashMap<>();
        NamespaceStats sum;
        synchronized (retiredLock) {
            sum = retired;
        }
        for (Map.Entry<String, Counters> row : byNamespace.asMap().entrySet()) {
            NamespaceStats s = row.getValue().snapshot();
            out.put(row.getKey(), s);
            sum = sum.plus(s);
        }
        // Retired rows' bytes were folded when they left; what is in the local tier now is counted exactly here.
        sum = sum.withL1Bytes(localBytes.sum());
        return new CacheStats(out, sum, redisAvailable, redisProblem, redisErrors.sum(), channel, localEntries);
    }
}

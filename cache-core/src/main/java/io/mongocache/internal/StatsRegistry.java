package io.mongocache.internal;

import io.mongocache.CacheStats;
import io.mongocache.NamespaceStats;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-namespace counters (striped, so hot paths never contend on one cache line). */
final class StatsRegistry {

    static final class Counters {
        final LongAdder l1Hits = new LongAdder();
        final LongAdder l1Misses = new LongAdder();
        final LongAdder l1Evictions = new LongAdder();
        final LongAdder l1Bytes = new LongAdder();
        final LongAdder l2Hits = new LongAdder();
        final LongAdder l2Misses = new LongAdder();
        final LongAdder l2Errors = new LongAdder();
        final LongAdder loads = new LongAdder();
        final LongAdder loadTimeNanos = new LongAdder();
        final LongAdder bypasses = new LongAdder();
        final LongAdder uncacheable = new LongAdder();
        final LongAdder invalidations = new LongAdder();

        NamespaceStats snapshot() {
            return new NamespaceStats(l1Hits.sum(), l1Misses.sum(), l1Evictions.sum(), l1Bytes.sum(), l2Hits.sum(),
                    l2Misses.sum(), l2Errors.sum(), loads.sum(), loadTimeNanos.sum(), bypasses.sum(),
                    uncacheable.sum(), invalidations.sum());
        }
    }

    private final ConcurrentHashMap<String, Counters> byNamespace = new ConcurrentHashMap<>();
    final LongAdder redisErrors = new LongAdder();

    Counters of(String namespace) {
        Counters c = byNamespace.get(namespace);
        return c != null ? c : byNamespace.computeIfAbsent(namespace, n -> new Counters());
    }

    CacheStats snapshot(boolean redisAvailable, CacheStats.Channel channel) {
        Map<String, NamespaceStats> out = new HashMap<>();
        byNamespace.forEach((ns, c) -> out.put(ns, c.snapshot()));
        return new CacheStats(out, redisAvailable, redisErrors.sum(), channel);
    }
}

package io.mongocache.internal;

import io.mongocache.spi.IdStripes;
import io.mongocache.spi.Invalidation;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Local version counters. Per namespace: a namespace-wide counter, an any-document counter, and
 * {@link IdStripes#STRIPES} id-stripe counters; plus one global counter. A cached entry records the counters it
 * depends on when its load started ({@link #stamp}) and is served only while they are all unchanged, so an
 * invalidation makes every older entry — including one whose load is still in flight — unusable at once, in O(1),
 * without scanning the cache.
 *
 * <p>Concurrency: counters only grow; reads are volatile. A stamp taken before a query and checked after it
 * detects any bump in between (the read/invalidate race). Failure modes: none; memory is 4096 counters per
 * namespace ever seen (32 KiB).
 */
final class Versions {

    private static final class NamespaceVersions {
        final AtomicLong namespace = new AtomicLong();
        final AtomicLong any = new AtomicLong();
        final AtomicLongArray stripes = new AtomicLongArray(IdStripes.STRIPES);

        long get(int slot) {
            return switch (slot) {
                case Dependency.NAMESPACE -> namespace.get();
                case Dependency.ANY -> any.get();
                default -> stripes.get(slot);
            };
        }
    }

    private final ConcurrentHashMap<String, NamespaceVersions> perNamespace = new ConcurrentHashMap<>();
    private final AtomicLong global = new AtomicLong();

    private NamespaceVersions of(String namespace) {
        NamespaceVersions v = perNamespace.get(namespace);
        return v != null ? v : perNamespace.computeIfAbsent(namespace, n -> new NamespaceVersions());
    }

    /** [global, dependency 0, dependency 1, …] as of now. */
    long[] stamp(Dependency[] dependencies) {
        long[] stamp = new long[dependencies.length + 1];
        stamp[0] = global.get();
        for (int i = 0; i < dependencies.length; i++) {
            Dependency d = dependencies[i];
            stamp[i + 1] = of(d.namespace()).get(d.slot());
        }
        return stamp;
    }

    boolean isCurrent(Dependency[] dependencies, long[] stamp) {
        if (stamp.length != dependencies.length + 1 || stamp[0] != global.get()) {
            return false;
        }
        for (int i = 0; i < dependencies.length; i++) {
            Dependency d = dependencies[i];
            if (stamp[i + 1] != of(d.namespace()).get(d.slot())) {
                return false;
            }
        }
        return true;
    }

    void apply(Invalidation invalidation) {
        switch (invalidation.kind()) {
            case NAMESPACE -> of(invalidation.namespace()).namespace.incrementAndGet();
            case DOCUMENTS -> {
                NamespaceVersions v = of(invalidation.namespace());
                for (int stripe : invalidation.stripes()) {
                    v.stripes.incrementAndGet(stripe);
                }
                v.any.incrementAndGet();
            }
            case EVERYTHING -> global.incrementAndGet();
        }
    }

    void bumpAll() {
        global.incrementAndGet();
    }
}

package io.mongocache.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Local version counters: one per namespace, and one global. A cached entry records the counters of every
 * namespace it depends on when its load started; it is served only while they are all unchanged. A write bumps
 * its namespace's counter after MongoDB acknowledged it and before the write call returns, which makes every
 * older entry — including one whose load is still in flight — unusable at once, in O(1), without scanning.
 *
 * <p>Concurrency: counters only grow; reads are volatile. A stamp taken before a query and checked after it
 * detects any bump in between (the read/invalidate race). Failure modes: none; memory is one counter per
 * namespace ever seen.
 */
final class Generations {
    private final ConcurrentHashMap<String, AtomicLong> perNamespace = new ConcurrentHashMap<>();
    private final AtomicLong global = new AtomicLong();

    private AtomicLong counter(String namespace) {
        AtomicLong c = perNamespace.get(namespace);
        return c != null ? c : perNamespace.computeIfAbsent(namespace, n -> new AtomicLong());
    }

    /** [global, ns0, ns1, …] as of now. */
    long[] stamp(String[] namespaces) {
        long[] stamp = new long[namespaces.length + 1];
        stamp[0] = global.get();
        for (int i = 0; i < namespaces.length; i++) {
            stamp[i + 1] = counter(namespaces[i]).get();
        }
        return stamp;
    }

    boolean isCurrent(String[] namespaces, long[] stamp) {
        if (stamp.length != namespaces.length + 1 || stamp[0] != global.get()) {
            return false;
        }
        for (int i = 0; i < namespaces.length; i++) {
            if (stamp[i + 1] != counter(namespaces[i]).get()) {
                return false;
            }
        }
        return true;
    }

    void bump(String namespace) {
        counter(namespace).incrementAndGet();
    }

    void bumpAll() {
        global.incrementAndGet();
    }

    Iterable<String> knownNamespaces() {
        return perNamespace.keySet();
    }
}

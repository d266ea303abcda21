package io.mongocache.benchmarks.cluster.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks every response of the cluster demo against the writes acknowledged before it was sent.
 *
 * <p>The rule: a write of version {@code w} acknowledged at {@code ack} with bound {@code b} obliges every response
 * to a request sent after {@code ack + b} to show a version of at least {@code w}. The bound is the guarantee that
 * covers the write — {@code maxStaleness} for a write through the cache, the failover bound for a write made
 * behind its back. A response showing less is stale beyond its bound. Versions only grow (every writer increments
 * them), so writes whose outcome is unknown (a timed-out request) can only make a response look fresher, never
 * staler: only acknowledged writes oblige.
 *
 * <p>Concurrency: thread-safe; one lock per document. Times are {@link System#nanoTime()} of this JVM, where both
 * the load generator and the outside writer run.
 */
final class FreshnessChecker {
    /**
     * Entries whose deadline passed this long before a newer acknowledgement fold into the document's floor: no
     * request in flight is that old.
     */
    private static final long FOLD_AFTER_NANOS = 60_000_000_000L;
    private static final int KEPT_EXAMPLES = 10;

    private final ConcurrentHashMap<String, Obligations> documents = new ConcurrentHashMap<>();
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final List<String> examples = new ArrayList<>();
    /** Guarded by {@link #examples}: one example per document and required version. */
    private final java.util.Set<String> staleDocuments = new java.util.HashSet<>();

    /** The acknowledged writes of one document: each an obligation from its deadline on. */
    private static final class Obligations {
        long floor = Long.MIN_VALUE;
        final List<Obligation> pending = new ArrayList<>();

        synchronized void add(Obligation obligation, long now) {
            pending.add(obligation);
            pending.removeIf(entry -> {
                if (entry.deadline() < now - FOLD_AFTER_NANOS) {
                    floor = Math.max(floor, entry.version());
                    return true;
                }
                return false;
            });
        }

        /** The newest write a response to a request sent at {@code sent} must show; null if none binds it yet. */
        synchronized Obligation required(long sent) {
            Obligation required = floor == Long.MIN_VALUE ? null : new Obligation(Long.MIN_VALUE, floor, 0, "an old write");
            for (Obligation entry : pending) {
                if (entry.deadline() < sent && (required == null || entry.version() > required.version())) {
                    required = entry;
                }
            }
            return required;
        }
    }

    /** An acknowledged write: binding from {@code deadline} (acknowledgement + bound) on. */
    private record Obligation(long deadline, long version, long acknowledged, String writer) {}

    /**
     * Records an acknowledged write of {@code version} to {@code document}, binding responses from ack + bound;
     * {@code writer} says who wrote it, for the report.
     */
    void acknowledged(String document, long version, long acknowledgedNanos, long boundNanos, String writer) {
        documents.computeIfAbsent(document, d -> new Obligations()).add(new Obligation(acknowledgedNanos + boundNanos,
                version, acknowledgedNanos, writer), acknowledgedNanos);
    }

    /**
     * Checks one response: {@code version} of {@code document} answered a request sent at {@code sentNanos}.
     *
     * @return true if it is stale beyond its bound (and counted)
     */
    boolean check(String document, long version, long sentNanos, String source) {
        checked.incrementAndGet();
        Obligations obligations = documents.get(document);
        if (obligations == null) {
            return false;
        }
        Obligation required = obligations.required(sentNanos);
        if (required == null || version >= required.version()) {
            return false;
        }
        stale.incrementAndGet();
        synchronized (examples) {
            if (examples.size() < KEPT_EXAMPLES && staleDocuments.add(document + "@" + required.version())) {
                examples.add(String.format(java.util.Locale.ROOT, "%s answered %s version %d; version %d (%s) was"
                        + " acknowledged %.0f ms before the request", source, document, version, required.version(),
                        required.writer(), (sentNanos - required.acknowledged()) / 1e6));
            }
        }
        return true;
    }

    long checked() {
        return checked.get();
    }

    long stale() {
        return stale.get();
    }

    List<String> examples() {
        synchronized (examples) {
            return List.copyOf(examples);
        }
    }
}

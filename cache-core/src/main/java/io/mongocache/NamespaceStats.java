package io.mongocache;

import com.mongodb.annotations.Immutable;

/**
 * Counters of one namespace ({@code database.collection}) since the cache was built.
 *
 * @param l1Hits reads answered by the local tier
 * @param l1Misses reads the local tier could not answer (then tried in Redis or MongoDB)
 * @param l1Evictions local entries removed for size or expiry
 * @param l1Bytes bytes of BSON held by the local tier now
 * @param l2Hits reads answered by Redis
 * @param l2Misses Redis lookups that found nothing current
 * @param l2Errors Redis commands that failed or timed out (the call fell through to MongoDB)
 * @param loads queries sent to MongoDB to fill the cache (background reloads included)
 * @param loadTimeNanos total time of those queries
 * @param reloads background reloads of entries near the end of their life ({@code refreshAhead})
 * @param bypasses reads that went straight to MongoDB ({@code noCache()}, sessions, unknown options)
 * @param uncacheable results not cached because they exceeded {@code maxResultBytes}
 * @param invalidations writes (or events) that invalidated this namespace or part of it
 * @param l2Skipped reads that did not use Redis because they have more dependencies than a Redis entry records
 *     ({@value #MAX_SHARED_DEPENDENCIES}; a read by {@code _id} depends on each id and on the namespace's other
 *     writes, so at most 253 ids); they are cached in the local tier only
 */
@Immutable
public record NamespaceStats(
        long l1Hits,
        long l1Misses,
        long l1Evictions,
        long l1Bytes,
        long l2Hits,
        long l2Misses,
        long l2Errors,
        long loads,
        long loadTimeNanos,
        long reloads,
        long bypasses,
        long uncacheable,
        long invalidations,
        long l2Skipped) {

    /** The most dependencies a read may have and still be cached in Redis (its entry also records the era). */
    public static final int MAX_SHARED_DEPENDENCIES = 254;

    /** All zeros. */
    public static final NamespaceStats EMPTY = new NamespaceStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Hits of either tier over cached reads (hits plus loads made for readers); 0 when there were none. */
    public double hitRatio() {
        long hits = l1Hits + l2Hits;
        long total = hits + loads - reloads;
        return total == 0 ? 0.0 : (double) hits / total;
    }

    /** The same counters with {@code l1Bytes} replaced. */
    public NamespaceStats withL1Bytes(long bytes) {
        return new NamespaceStats(l1Hits, l1Misses, l1Evictions, bytes, l2Hits, l2Misses, l2Errors, loads,
                loadTimeNanos, reloads, bypasses, uncacheable, invalidations, l2Skipped);
    }

    /** The element-wise sum of this and {@code other}. */
    public NamespaceStats plus(NamespaceStats o) {
        return new NamespaceStats(l1Hits + o.l1Hits, l1Misses + o.l1Misses, l1Evictions + o.l1Evictions,
                l1Bytes + o.l1Bytes, l2Hits + o.l2Hits, l2Misses + o.l2Misses, l2Errors + o.l2Errors,
                loads + o.loads, loadTimeNanos + o.loadTimeNanos, reloads + o.reloads, bypasses + o.bypasses,
                uncacheable + o.uncacheable, invalidations + o.invalidations, l2Skipped + o.l2Skipped);
    }

    /** The element-wise difference {@code this - earlier}, e.g. to measure one phase of a run. */
    public NamespaceStats minus(NamespaceStats earlier) {
        return new NamespaceStats(l1Hits - earlier.l1Hits, l1Misses - earlier.l1Misses,
                l1Evictions - earlier.l1Evictions, l1Bytes - earlier.l1Bytes, l2Hits - earlier.l2Hits,
                l2Misses - earlier.l2Misses, l2Errors - earlier.l2Errors, loads - earlier.loads,
                loadTimeNanos - earlier.loadTimeNanos, reloads - earlier.reloads, bypasses - earlier.bypasses,
                uncacheable - earlier.uncacheable, invalidations - earlier.invalidations,
                l2Skipped - earlier.l2Skipped);
    }
}

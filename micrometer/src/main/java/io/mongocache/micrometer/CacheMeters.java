package io.mongocache.micrometer;

import static io.mongocache.micrometer.MeterSpec.bytes;
import static io.mongocache.micrometer.MeterSpec.counter;
import static io.mongocache.micrometer.MeterSpec.flag;
import static io.mongocache.micrometer.MeterSpec.gauge;
import static io.mongocache.micrometer.MeterSpec.seconds;
import static io.mongocache.micrometer.MeterSpec.timer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongocache.CacheStats;
import io.mongocache.NamespaceStats;
import java.util.List;
import java.util.function.Function;

/**
 * The cache's meters, over {@code MongoCache.stats()}: Micrometer's {@code cache.*} names for what its cache binders
 * have, {@code mongocache.*} for the rest. The counters of {@link NamespaceStats} may carry a bounded
 * {@code namespace} tag ({@link TaggedRows}); the cache-wide values never do.
 *
 * @param <O> the cache (tests pass a holder of hand-made statistics)
 */
final class CacheMeters<O> implements MeterBinder {
    private static final String GETS = "Reads a tier answered (hit) or could not answer (miss); tier l1 is the local "
            + "tier (Caffeine), l2 the shared one (Redis), which is asked after an l1 miss";

    /** Meters of one namespace's counters, or of their totals. */
    static final List<MeterSpec<NamespaceStats>> NAMESPACE_METERS = List.of(
            counter("cache.gets", GETS, NamespaceStats::l1Hits, "result", "hit", "tier", "l1"),
            counter("cache.gets", GETS, NamespaceStats::l1Misses, "result", "miss", "tier", "l1"),
            counter("cache.gets", GETS, NamespaceStats::l2Hits, "result", "hit", "tier", "l2"),
            counter("cache.gets", GETS, NamespaceStats::l2Misses, "result", "miss", "tier", "l2"),
            counter("cache.puts", "Results loaded from MongoDB to be cached (Micrometer's Caffeine binder, too, "
                    + "counts loads as puts)", NamespaceStats::loads),
            counter("cache.evictions", "Local entries removed for size or expiry", NamespaceStats::l1Evictions),
            bytes("mongocache.local.size", "Bytes of BSON the local tier holds", NamespaceStats::l1Bytes),
            timer("mongocache.loads", "Queries sent to MongoDB to fill the cache (background reloads included), "
                    + "and their time", NamespaceStats::loads, NamespaceStats::loadTimeNanos),
            counter("mongocache.reloads", "Background reloads of entries near the end of their life (refreshAhead)",
                    NamespaceStats::reloads),
            counter("mongocache.bypasses", "Reads that went straight to MongoDB (noCache(), sessions, options the "
                    + "cache does not know)", NamespaceStats::bypasses),
            counter("mongocache.uncacheable", "Results not cached because they exceeded maxResultBytes",
                    NamespaceStats::uncacheable),
            counter("mongocache.invalidations", "Invalidations this node made: its writes through the cache and its "
                    + "watcher's change events (with Redis, each is also sent to the other nodes)",
                    NamespaceStats::invalidations),
            counter("mongocache.redis.errors", "Redis commands of reads and writes that failed or timed out (the "
                    + "call went on without Redis)", NamespaceStats::l2Errors),
            counter("mongocache.redis.skipped", "Reads cached locally only because they depend on more documents than "
                    + "a Redis entry records", NamespaceStats::l2Skipped));

    /** Meters of the cache as a whole. */
    static final List<MeterSpec<CacheStats>> CACHE_METERS = List.of(
            gauge("cache.size", "Entries in the local tier (an estimate)", CacheStats::localEntries),
            counter("mongocache.channel.messages", "Messages received on the invalidation channel (other nodes' "
                    + "invalidations, heartbeats, this node's own heartbeats)", s -> s.channel().received()),
            counter("mongocache.channel.invalidations", "Invalidations of other nodes received and applied here",
                    s -> s.channel().invalidations()),
            counter("mongocache.channel.gaps", "Lost channel messages detected (a sequence gap or an epoch change)",
                    s -> s.channel().gaps()),
            counter("mongocache.channel.flushes", "Flushes of the local tier because it could no longer vouch for its "
                    + "content", s -> s.channel().flushes()),
            seconds("mongocache.channel.lag", "How long this node's latest heartbeat took to come back through "
                    + "Redis: the time an invalidation then took to reach the nodes (NaN before the first)",
                    s -> s.channel().lagMicros() < 0 ? Double.NaN : s.channel().lagMicros() / 1e6),
            flag("mongocache.local.trusted", "1 while the local tier may serve (fresh proof of having every "
                    + "invalidation), else 0", s -> s.channel().localTierTrusted()),
            flag("mongocache.redis.available", "1 while the shared tier is configured and answering, else 0",
                    CacheStats::redisAvailable),
            counter("mongocache.redis.connection.errors", "Redis faults not tied to a namespace (connection loss, "
                    + "failed probes)", CacheStats::redisErrors));

    private final O cache;
    private final MeterSettings settings;
    private final Snapshots<O, CacheStats> stats;
    private final TaggedRows<O, CacheStats, NamespaceStats> namespaces;

    /** @param namespaceTags how many namespaces get series of their own (0: totals only) */
    CacheMeters(O cache, Function<O, CacheStats> stats, int namespaceTags, MeterSettings settings) {
        this.cache = cache;
        this.settings = settings;
        this.stats = settings.snapshots(stats);
        this.namespaces = new TaggedRows<>("namespace", namespaceTags, CacheStats::totals, CacheStats::namespaces,
                NamespaceStats::minus, NamespaceStats.EMPTY, NAMESPACE_METERS);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MeterSpec.registerAll(CACHE_METERS, registry, settings.common(), cache, stats::read);
        namespaces.bindTo(registry, settings.common(), cache, stats);
    }
}

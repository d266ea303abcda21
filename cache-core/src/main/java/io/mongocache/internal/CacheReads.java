package io.mongocache.internal;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read algorithm: L1 → L2 → MongoDB, one load per key per node at a time, install only if still current.
 *
 * <p>Concurrency: an L1 entry is served only while the stamp it was loaded under is current — the check reads
 * the version cells the entry itself holds, so a hit needs no analysis of the query and no map lookup. On a miss
 * the read takes a fresh stamp of everything it depends on and registers a flight for its key; reads of the same
 * key with the same stamp wait for that flight instead of querying MongoDB (single-flight); a read whose stamp
 * differs (a write landed in between) never joins an older flight, so no read that starts after a write returns
 * can receive a result loaded before it — it takes the dead flight's place in the map instead, so the reads that
 * follow it share its load (one load per key and write, not one per read, when a write or flush lands mid-flight).
 * Loaded payloads are installed in L1 with the stamp taken before the query, so an install that races a write is
 * dead on arrival (no stale set); in Redis the same holds through the tokens read before the query
 * ({@link RedisTier}).
 *
 * <p>Expiry: each install shortens the TTL by a random fraction up to {@code ttlJitter}, so entries loaded
 * together expire apart. With {@code refreshAhead}, a hit on an entry in the last part of its life reloads it in
 * the background (one reload per key at a time; the old entry serves meanwhile). A reload takes its own stamp and
 * installs like a miss, so it can never install anything a miss could not.
 *
 * <p>Failure modes: a failed load fails its own caller; waiters then load for themselves rather than sharing
 * the exception. A waiter with a time limit of its own waits at most that long, then loads for itself. An
 * over-large result is streamed to the leader; waiters load for themselves. Redis faults are absorbed by
 * {@link RedisTier}: the read proceeds as if Redis were absent. A failed background reload is logged
 * at debug and leaves the old entry to expire.
 */
final class CacheReads {
    private static final Logger LOG = LoggerFactory.getLogger(CacheReads.class);

    private static final class Flight {
        final Versions.Stamp stamp;
        final CompletableFuture<byte @Nullable []> payload = new CompletableFuture<>();

        Flight(Versions.Stamp stamp) {
            this.stamp = stamp;
        }
    }

    /** Expiry settings: the jitter fraction, the refresh-ahead fraction (0: off) and where reloads run. */
    record Expiry(double ttlJitter, double refreshAhead, Executor reloads) {}

    private final Versions versions;
    private final @Nullable LocalTier local;
    private final @Nullable RedisTier redis;
    private final StatsRegistry stats;
    private final long maxResultBytes;
    private final BooleanSupplier localTierTrusted;
    private final BooleanSupplier sharedTierTrusted;
    private final Expiry expiry;
    private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();
    private final Set<CacheKey> reloading = ConcurrentHashMap.newKeySet();

    CacheReads(Versions versions, @Nullable LocalTier local, @Nullable RedisTier redis, StatsRegistry stats,
            long maxResultBytes, BooleanSupplier localTierTrusted, BooleanSupplier sharedTierTrusted, Expiry expiry) {
        this.versions = versions;
        this.local = local;
        this.redis = redis;
        this.stats = stats;
        this.maxResultBytes = maxResultBytes;
        this.localTierTrusted = localTierTrusted;
        this.sharedTierTrusted = sharedTierTrusted;
        this.expiry = expiry;
    }

    /**
     * Reads through the tiers.
     *
     * @param reloader builds, on the calling thread, a loader that no longer depends on the caller's objects
     *     (for a background reload); null if this read cannot be reloaded in the background
     */
    ReadResult read(CacheKey key, long ttlNanos, Loader loader, @Nullable Supplier<Loader> reloader) {
        return read(key, stats.of(key.namespace()), ttlNanos, 0, loader, reloader);
    }

    /**
     * {@code counters}: the key's namespace's row, which the caller may have kept from an earlier read.
     * {@code waitLimitNanos}: the caller's own time limit ({@code maxTime}, {@code timeout}); 0 or less: none. A
     * read that finds another thread loading its key waits at most that long, then queries for itself under the
     * same limit, so a stuck load never holds a caller past the bound it asked MongoDB for.
     */
    ReadResult read(CacheKey key, StatsRegistry.Counters counters, long ttlNanos, long waitLimitNanos, Loader loader,
            @Nullable Supplier<Loader> reloader) {
        LocalTier l1 = local;
        // The local tier serves only while this node can prove it has every other node's invalidations up to
        // maxStaleness ago (always, without Redis: then there are no other nodes to hear from).
        if (l1 != null && localTierTrusted.getAsBoolean()) {
            LocalTier.Entry entry = current(l1, key);
            if (entry != null) {
                counters.l1Hits.increment();
                if (reloader != null && refreshAhead()) {
                    reloadIfOld(key, entry, ttlNanos, reloader, l1, counters);
                }
                return ReadResult.complete(entry.payload(), entry.address());
            }
            counters.l1Misses.increment();
        }
        Versions.Stamp stamp = versions.stamp(key.dependencies());
        Flight mine = new Flight(stamp);
        Flight existing = flights.putIfAbsent(key, mine);
        while (existing != null) {
            if (existing.stamp.sameAs(stamp)) {
                byte[] shared = await(existing, waitLimitNanos);
                if (shared != null) {
                    return ReadResult.complete(shared, null);
                }
                return loadAndInstall(key, stamp, ttlNanos, loader, counters, true);
            }
            if (existing.stamp.isCurrent() || !stamp.isCurrent()) {
                // Another stamp that is still current (a cell was collected and re-created), or ours is already
                // dead: load alone, without taking the flight over.
                return loadAndInstall(key, stamp, ttlNanos, loader, counters, true);
            }
            // The flight in the map started before a write (or a flush) that ours follows: its result is dead on
            // arrival, so later reads with our stamp join ours instead of each loading alone.
            if (flights.replace(key, existing, mine)) {
                break;
            }
            existing = flights.putIfAbsent(key, mine);
        }
        try {
            // A flight that landed between this read's local lookup and its registration has installed its
            // result already: serve that instead of loading the key a second time.
            LocalTier.Entry landed = l1 != null && localTierTrusted.getAsBoolean() ? current(l1, key) : null;
            if (landed != null) {
                mine.payload.complete(landed.payload());
                return ReadResult.complete(landed.payload(), landed.address());
            }
            ReadResult result = loadAndInstall(key, stamp, ttlNanos, loader, counters, true);
            mine.payload.complete(result.isComplete() ? result.payload() : null);
            return result;
        } catch (RuntimeException | Error e) {
            mine.payload.complete(null);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    /** The key's local entry if the stamp it was loaded under is still current, else null. */
    private static LocalTier.@Nullable Entry current(LocalTier l1, CacheKey key) {
        LocalTier.Entry entry = l1.get(key);
        return entry != null && entry.stamp().isCurrent() ? entry : null;
    }

    /** Whether hits may reload entries in the background (callers skip building reloaders when not). */
    boolean refreshAhead() {
        return expiry.refreshAhead() > 0;
    }

    /** The flight's payload, or null when it failed, was too large, or did not land within the limit. */
    private static byte @Nullable [] await(Flight flight, long limitNanos) {
        try {
            return limitNanos > 0 ? flight.payload.get(limitNanos, TimeUnit.NANOSECONDS) : flight.payload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private void reloadIfOld(CacheKey key, LocalTier.Entry entry, long ttlNanos, Supplier<Loader> reloader,
            LocalTier l1, StatsRegistry.Counters counters) {
        long age = l1.now() - entry.createdNanos();
        if (age < (long) (entry.ttlNanos() * (1 - expiry.refreshAhead())) || !reloading.add(key)) {
            return;
        }
        try {
            Loader detached = reloader.get();
            expiry.reloads().execute(() -> {
                try {
                    Versions.Stamp stamp = versions.stamp(key.dependencies());
                    loadAndInstall(key, stamp, ttlNanos, detached, counters, false);
                    counters.reloads.increment();
                } catch (RuntimeException e) {
                    LOG.debug("mongocache: a background reload of {} failed; the entry expires as usual", key, e);
                } finally {
                    reloading.remove(key);
                }
            });
        } catch (RejectedExecutionException | IllegalStateException e) {
            reloading.remove(key);
        }
    }

    /**
     * Loads from Redis or MongoDB and installs. {@code useShared}: a miss may be answered by a current Redis
     * entry; a background reload always queries MongoDB (a Redis entry may be the one about to expire).
     */
    private ReadResult loadAndInstall(CacheKey key, Versions.Stamp stamp, long ttlNanos, Loader loader,
            StatsRegistry.Counters counters, boolean useShared) {
        RedisTier l2 = redis;
        RedisTier.Lookup lookup = null;
        if (l2 != null && key.dependencies().length > io.mongocache.NamespaceStats.MAX_SHARED_DEPENDENCIES) {
            // A Redis entry records at most 255 tokens (the era and 254 dependencies): such a read could be looked
            // up but never installed, so it skips Redis up front instead of creating tokens it cannot use.
            counters.l2Skipped.increment();
            l2 = null;
        }
        if (l2 != null && sharedTierTrusted.getAsBoolean()) {
            // Right after this node's own write of what the read depends on, Redis cannot hold a current entry:
            // skip the lookup and install with the tokens the write set (the install script checks them).
            byte[][] known = useShared && l2.usableFor(key) ? stamp.tokensAfterOwnWrite() : null;
            if (known != null) {
                lookup = new RedisTier.Lookup(null, known, 0);
                counters.l2Misses.increment();
            } else {
                lookup = l2.lookup(key, Math.max(1, ttlNanos / 1_000_000), counters);
                if (lookup != null) {
                    stamp.remember(lookup.tokens());
                }
            }
            if (lookup != null && useShared && known == null) {
                byte[] payload = lookup.payload();
                if (payload != null) {
                    counters.l2Hits.increment();
                    // The local copy lives no longer than the Redis entry it copies: the TTL bounds the age of a
                    // result (what outside writes rely on without a watcher), not the time since this node saw it.
                    long ttl = jittered(ttlNanos);
                    if (lookup.remainingMillis() > 0) {
                        ttl = Math.min(ttl, lookup.remainingMillis() * 1_000_000);
                    }
                    installLocal(key, stamp, payload, ttl, null, counters);
                    return ReadResult.complete(payload, null);
                }
                counters.l2Misses.increment();
            }
        }
        long start = System.nanoTime();
        ReadResult result = loader.load(maxResultBytes);
        counters.loads.increment();
        counters.loadTimeNanos.add(System.nanoTime() - start);
        if (!result.isComplete()) {
            counters.uncacheable.increment();
            return result;
        }
        long ttl = jittered(ttlNanos);
        installLocal(key, stamp, result.payload(), ttl, result.address(), counters);
        if (l2 != null && lookup != null) {
            l2.install(key, lookup.tokens(), result.payload(), Math.max(1, ttl / 1_000_000), counters);
        }
        return result;
    }

    private long jittered(long ttlNanos) {
        double jitter = expiry.ttlJitter();
        if (jitter <= 0) {
            return ttlNanos;
        }
        return Math.max(1, ttlNanos - (long) (ttlNanos * jitter * ThreadLocalRandom.current().nextDouble()));
    }

    private void installLocal(CacheKey key, Versions.Stamp stamp, byte[] payload, long ttlNanos,
            com.mongodb.@Nullable ServerAddress address, StatsRegistry.Counters counters) {
        LocalTier l1 = local;
        // The stamp check is an optimisation (a racing write makes the entry unservable anyway): skip the put.
        if (l1 != null && stamp.isCurrent()) {
            l1.put(key, new LocalTier.Entry(payload, stamp, ttlNanos, l1.now(), address, counters));
        }
    }
}

package io.mongocache.internal;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The read algorithm: L1 → L2 → MongoDB, one load per key per node at a time, install only if still current.
 *
 * <p>Concurrency: a read first takes the generation stamp of every namespace it depends on. An L1 entry is
 * served only if its stamp equals the current one. On a miss the read registers a flight for its key; reads of
 * the same key with the same stamp wait for that flight instead of querying MongoDB (single-flight); a read
 * whose stamp differs (a write landed in between) never joins an older flight — it loads for itself, so no read
 * that starts after a write returns can receive a result loaded before it. Loaded payloads are installed in L1
 * with the stamp taken before the query, so an install that races a write is dead on arrival (no stale set);
 * in Redis the same holds through the namespace tokens read before the query ({@link RedisTier}).
 *
 * <p>Failure modes: a failed load fails its own caller; waiters then load for themselves rather than sharing
 * the exception. An over-large result is streamed to the leader; waiters load for themselves. Redis faults are
 * absorbed by {@link RedisTier}: the read proceeds as if Redis were absent.
 */
final class CacheReads {

    private static final class Flight {
        final long[] stamp;
        final CompletableFuture<byte @Nullable []> payload = new CompletableFuture<>();

        Flight(long[] stamp) {
            this.stamp = stamp;
        }
    }

    private final Versions versions;
    private final @Nullable LocalTier local;
    private final @Nullable RedisTier redis;
    private final StatsRegistry stats;
    private final long maxResultBytes;
    private final java.util.function.BooleanSupplier localTierTrusted;
    private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();

    CacheReads(Versions versions, @Nullable LocalTier local, @Nullable RedisTier redis, StatsRegistry stats,
            long maxResultBytes, java.util.function.BooleanSupplier localTierTrusted) {
        this.versions = versions;
        this.local = local;
        this.redis = redis;
        this.stats = stats;
        this.maxResultBytes = maxResultBytes;
        this.localTierTrusted = localTierTrusted;
    }

    ReadResult read(CacheKey key, long ttlNanos, Loader loader) {
        StatsRegistry.Counters counters = stats.of(key.namespace());
        long[] stamp = versions.stamp(key.dependencies());
        LocalTier l1 = local;
        // The local tier serves only while this node can prove it has every other node's invalidations up to
        // maxStaleness ago (always, without Redis: then there are no other nodes to hear from).
        if (l1 != null && localTierTrusted.getAsBoolean()) {
            LocalTier.Entry entry = l1.get(key);
            if (entry != null && Arrays.equals(entry.stamp(), stamp)) {
                counters.l1Hits.increment();
                return ReadResult.complete(entry.payload(), entry.address());
            }
            counters.l1Misses.increment();
        }
        Flight mine = new Flight(stamp);
        Flight existing = flights.putIfAbsent(key, mine);
        if (existing != null) {
            if (Arrays.equals(existing.stamp, stamp)) {
                byte[] shared = await(existing);
                if (shared != null) {
                    return ReadResult.complete(shared, null);
                }
            }
            return loadAndInstall(key, stamp, ttlNanos, loader, counters);
        }
        try {
            ReadResult result = loadAndInstall(key, stamp, ttlNanos, loader, counters);
            mine.payload.complete(result.isComplete() ? result.payload() : null);
            return result;
        } catch (RuntimeException | Error e) {
            mine.payload.complete(null);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    private static byte @Nullable [] await(Flight flight) {
        try {
            return flight.payload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    private ReadResult loadAndInstall(CacheKey key, long[] stamp, long ttlNanos, Loader loader,
            StatsRegistry.Counters counters) {
        RedisTier l2 = redis;
        RedisTier.Lookup lookup = null;
        if (l2 != null) {
            lookup = l2.lookup(key, counters);
            if (lookup != null) {
                byte[] payload = lookup.payload();
                if (payload != null) {
                    counters.l2Hits.increment();
                    installLocal(key, stamp, payload, ttlNanos, null, counters);
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
        installLocal(key, stamp, result.payload(), ttlNanos, result.address(), counters);
        if (l2 != null && lookup != null) {
            l2.install(key, lookup.tokens(), result.payload(), Math.max(1, ttlNanos / 1_000_000), counters);
        }
        return result;
    }

    private void installLocal(CacheKey key, long[] stamp, byte[] payload, long ttlNanos,
            com.mongodb.@Nullable ServerAddress address, StatsRegistry.Counters counters) {
        LocalTier l1 = local;
        // The stamp check is an optimisation (a racing write makes the entry unservable anyway): skip the put.
        if (l1 != null && versions.isCurrent(key.dependencies(), stamp)) {
            l1.put(key, new LocalTier.Entry(payload, stamp, ttlNanos, address), counters);
        }
    }
}

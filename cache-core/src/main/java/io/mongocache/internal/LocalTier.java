package io.mongocache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.mongodb.ServerAddress;
import org.jspecify.annotations.Nullable;

/**
 * The in-process tier: Caffeine bounded by bytes of BSON, each entry with its own expiry (the query's TTL).
 * Entries carry the generation stamp of their load; {@link CacheReads} serves one only while the stamp is
 * current, so an invalidated entry is dead at once and its memory is reclaimed by eviction or expiry.
 */
final class LocalTier {
    /** Rough per-entry overhead (entry objects, key object, Caffeine node) added to the weight. */
    private static final int ENTRY_OVERHEAD = 160;

    record Entry(byte[] payload, long[] stamp, long ttlNanos, @Nullable ServerAddress address) {}

    private final Cache<CacheKey, Entry> cache;

    LocalTier(long maxBytes, com.github.benmanes.caffeine.cache.Ticker ticker, StatsRegistry stats) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey k, Entry e) -> weight(k, e))
                .expireAfter(new Expiry<CacheKey, Entry>() {
                    @Override
                    public long expireAfterCreate(CacheKey key, Entry value, long currentTime) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(CacheKey key, Entry value, long currentTime, long currentDuration) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(CacheKey key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .ticker(ticker)
                .executor(Runnable::run)
                .removalListener((CacheKey k, Entry e, RemovalCause cause) -> {
                    if (k == null || e == null) {
                        return;
                    }
                    StatsRegistry.Counters c = stats.of(k.namespace());
                    c.l1Bytes.add(-e.payload().length);
                    if (cause.wasEvicted()) {
                        c.l1Evictions.increment();
                    }
                })
                .build();
    }

    private static int weight(CacheKey k, Entry e) {
        long w = (long) e.payload().length + k.bytes().length + ENTRY_OVERHEAD;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    @Nullable Entry get(CacheKey key) {
        return cache.getIfPresent(key);
    }

    void put(CacheKey key, Entry entry, StatsRegistry.Counters counters) {
        counters.l1Bytes.add(entry.payload().length);
        cache.put(key, entry);
    }

    void invalidateAll() {
        cache.invalidateAll();
    }

    void cleanUp() {
        cache.cleanUp();
    }
}

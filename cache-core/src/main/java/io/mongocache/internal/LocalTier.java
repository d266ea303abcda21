package io.mongocache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.mongodb.ServerAddress;
import org.jspecify.annotations.Nullable;

/**
 * The in-process tier: Caffeine bounded by bytes of BSON, each entry with its own expiry (the query's TTL).
 * Entries carry the stamp of their load; {@link CacheReads} serves one only while the stamp is current, so an
 * invalidated entry is dead at once and its memory is reclaimed by eviction or expiry. An entry holds the
 * version cells its stamp names, which keeps them alive exactly as long as something depends on them.
 */
final class LocalTier {
    /** Rough per-entry overhead (entry objects, key object, stamp, Caffeine node) added to the weight. */
    private static final int ENTRY_OVERHEAD = 200;

    /**
     * One cached result.
     *
     * @param payload the BSON documents, back to back
     * @param stamp the versions the result was loaded under
     * @param ttlNanos its lifetime
     * @param createdNanos the ticker's time when it was installed
     * @param address the server that produced it, when known
     * @param counters the statistics its bytes were added to (and are taken from on removal)
     */
    record Entry(byte[] payload, Versions.Stamp stamp, long ttlNanos, long createdNanos,
            @Nullable ServerAddress address, StatsRegistry.Counters counters) {}

    private final Cache<CacheKey, Entry> cache;
    private final Ticker ticker;

    LocalTier(long maxBytes, Ticker ticker, StatsRegistry stats) {
        this.ticker = ticker;
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
                    stats.removedFromLocal(k.namespace(), e.counters(), e.payload().length, cause.wasEvicted());
                })
                .build();
    }

    private static int weight(CacheKey k, Entry e) {
        long w = (long) e.payload().length + k.bytes().length + ENTRY_OVERHEAD;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    long now() {
        return ticker.read();
    }

    @Nullable Entry get(CacheKey key) {
        return cache.getIfPresent(key);
    }

    void put(CacheKey key, Entry entry) {
        entry.counters().addedToLocal(entry.payload().length);
        cache.put(key, entry);
    }

    void invalidateAll() {
        cache.invalidateAll();
    }

    void cleanUp() {
        cache.cleanUp();
    }

    long size() {
        return cache.estimatedSize();
    }
}

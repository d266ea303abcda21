package io.mongocache.spi;

import io.lettuce.core.resource.ClientResources;
import io.mongocache.MongoCache;
import io.mongocache.invalidation.Invalidation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a cache offers the modules built on it (the coordination module's watcher and delegation), kept off
 * {@link MongoCache}, the interface applications use. Obtain it with {@link #of(MongoCache)}.
 */
public interface CacheHooks {

    /**
     * The hooks of a cache built by {@link MongoCache#builder()}.
     *
     * @throws IllegalArgumentException if {@code cache} is null or was not built by {@code MongoCache.builder()}
     */
    static CacheHooks of(MongoCache cache) {
        if (cache instanceof CacheHooks hooks) {
            return hooks;
        }
        throw new IllegalArgumentException("cache must be built by MongoCache.builder(), was "
                + (cache == null ? "null" : cache.getClass().getName()));
    }

    /**
     * Like {@link MongoCache#invalidate(Invalidation)}, and says whether every other node will learn of it: true
     * when Redis acknowledged the new version tokens and the channel message (or there is no Redis, so no shared
     * state), false when it is applied on this node only and pending until Redis answers again. The change-stream
     * watcher checkpoints an event only after this returned true, so an event whose invalidation never left the
     * node is replayed rather than lost.
     *
     * @throws IllegalArgumentException if null
     */
    boolean invalidateShared(Invalidation invalidation);

    /**
     * Installs a component that may answer this node's cache misses elsewhere (see {@link ReadDelegate}), or with
     * null removes it. The coordination module's {@code Coordinator} installs itself when delegation is
     * configured, so a miss on a saturated pool is run by a peer.
     */
    void readDelegate(@Nullable ReadDelegate delegate);

    /**
     * The cache's Redis, for modules that talk to the same deployment (delegation's pub/sub): empty when the
     * cache runs without Redis. A module uses these settings and resources instead of asking the user to
     * configure Redis a second time; it must not shut the resources down (the cache does, when it closes).
     */
    Optional<SharedRedis> sharedRedis();

    /**
     * The cache's Redis settings and client resources (event loops, timers) that other modules' Lettuce clients
     * share, so one process runs one Redis I/O stack.
     *
     * @param uris the URIs as configured (may carry credentials: never log them unmasked)
     * @param cluster whether they are seeds of a Redis Cluster rather than one standalone server
     * @param keyPrefix the prefix of every key and channel the cache uses; other modules put theirs under it
     * @param resources Lettuce's client resources, owned by the cache
     */
    record SharedRedis(List<String> uris, boolean cluster, String keyPrefix, ClientResources resources) {
        public SharedRedis {
            uris = List.copyOf(uris);
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            Objects.requireNonNull(resources, "resources");
        }

        @Override
        public String toString() {
            return "SharedRedis[cluster=" + cluster + ", keyPrefix=" + keyPrefix + "]";
        }
    }
}

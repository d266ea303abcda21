package io.mongocache.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Per-view settings of a wrapped collection: caching on or off, and a TTL that overrides the default. */
record CollectionView(boolean cachingEnabled, @Nullable Duration ttl) {
    static final CollectionView DEFAULT = new CollectionView(true, null);
}

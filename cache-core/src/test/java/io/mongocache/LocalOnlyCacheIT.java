package io.mongocache;

/** The contract with the local tier only. */
class LocalOnlyCacheIT extends CachedCollectionContract {
    @Override
    protected MongoCacheBuilder configure(MongoCacheBuilder builder) {
        return builder;
    }
}

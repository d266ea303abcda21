package io.mongocache.spring.boot;

import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * Wraps every {@link MongoDatabaseFactory} bean — Boot's or the application's own — in a
 * {@link CachingMongoDatabaseFactory}, so that {@code MongoTemplate}, repositories and anything else built on the
 * factory read through the cache without a line of code. The cache (and the pools, when configured) are looked up
 * when the first factory is wrapped, not when this post-processor is created.
 */
final class DatabaseFactoryWrapper implements BeanPostProcessor {
    private final ObjectProvider<MongoCache> cache;
    private final ObjectProvider<MongoPools> pools;

    DatabaseFactoryWrapper(ObjectProvider<MongoCache> cache, ObjectProvider<MongoPools> pools) {
        this.cache = cache;
        this.pools = pools;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof MongoDatabaseFactory factory && !(bean instanceof CachingMongoDatabaseFactory)) {
            MongoPools p = pools.getIfAvailable();
            return new CachingMongoDatabaseFactory(factory, cache.getObject(), p == null ? null : p::database);
        }
        return bean;
    }
}

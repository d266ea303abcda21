package io.mongocache.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.micrometer.MongoCacheMetrics;
import io.mongocache.pooling.MongoPools;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer: the cache's, the pools' and the coordinator's statistics as meters ({@link MongoCacheMetrics}), a
 * {@code MeterBinder} bean that Spring Boot binds to every registry. Tagged {@code cache=}
 * {@code mongocache.metrics.cache-name}; {@code mongocache.metrics.namespace-tags} namespaces get series of their
 * own.
 */
@AutoConfiguration(after = MongoCacheAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, MongoCacheMetrics.class})
@ConditionalOnBean(MongoCache.class)
public class MongoCacheMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MongoCacheMetrics mongoCacheMetrics(MongoCache cache, MongoCacheProperties properties,
            ObjectProvider<MongoPools> pools, ObjectProvider<Coordinator> coordinator) {
        MongoCacheProperties.Metrics m = properties.getMetrics();
        MongoCacheMetrics.Builder b = MongoCacheMetrics.builder(cache);
        PropertyCheck.set("mongocache.metrics.cache-name", m.getCacheName(), () -> b.name(m.getCacheName()));
        PropertyCheck.set("mongocache.metrics.namespace-tags", m.getNamespaceTags(),
                () -> b.namespaceTags(m.getNamespaceTags()));
        MongoPools p = pools.getIfAvailable();
        if (p != null) {
            b.pools(p);
        }
        Coordinator c = coordinator.getIfAvailable();
        if (c != null) {
            b.coordinator(c);
        }
        return b.build();
    }
}

package io.mongocache.spring.boot;

import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.pooling.MongoPools;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Actuator: the {@code mongocache} health contributor and the {@code mongocache} endpoint, each when on the class path. */
@AutoConfiguration(after = MongoCacheAutoConfiguration.class)
@ConditionalOnBean(MongoCache.class)
public class MongoCacheActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("mongocache")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "mongocacheHealthIndicator")
        MongoCacheHealthIndicator mongocacheHealthIndicator(MongoCache cache, ObjectProvider<Coordinator> coordinator,
                ObjectProvider<MongoPools> pools) {
            return new MongoCacheHealthIndicator(cache, coordinator.getIfAvailable(), pools.getIfAvailable());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
    @ConditionalOnAvailableEndpoint(MongoCacheEndpoint.class)
    static class Endpoint {
        @Bean
        @ConditionalOnMissingBean
        MongoCacheEndpoint mongoCacheEndpoint(MongoCache cache, ObjectProvider<Coordinator> coordinator,
                ObjectProvider<MongoPools> pools) {
            return new MongoCacheEndpoint(cache, coordinator.getIfAvailable(), pools.getIfAvailable());
        }
    }
}

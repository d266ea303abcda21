package io.mongocache.spring.boot;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheBuilder;
import io.mongocache.common.Masking;
import io.mongocache.coordination.Coordinator;
import io.mongocache.coordination.DelegationSettings;
import io.mongocache.coordination.LeaseSettings;
import io.mongocache.coordination.WatchScope;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import java.util.List;
import java.util.Map;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * The starter's auto-configuration: a {@link MongoCache} from {@code mongocache.*}, {@code MongoPools} when separate
 * pools or delegation are configured, a started {@link Coordinator} when {@code mongocache.coordinator.watch} or
 * {@code .delegate} is set, Spring Data's database factory wrapped so that templates and repositories are cached,
 * and the {@code @NoCache}/{@code @CacheTtl} advisor. Every bean backs off when the application defines its own;
 * {@code mongocache.enabled=false} turns all of it off.
 */
@AutoConfiguration(after = MongoAutoConfiguration.class, afterName = {
        "org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration"})
@ConditionalOnClass({MongoCache.class, MongoClient.class})
@ConditionalOnProperty(prefix = "mongocache", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(MongoCacheProperties.class)
@Import(MongoCacheAutoConfiguration.AutoProxying.class)
public class MongoCacheAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @Conditional(PoolsConfigured.class)
    MongoPools mongoCachePools(MongoCacheProperties properties, MongoConnectionDetails connection,
            ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers) {
        MongoCacheProperties.Pools p = properties.getPools();
        MongoPools.Builder builder = MongoPools.builder();
        // The pools' clients start from what the application's customizers make of a client (Boot's standard
        // settings, metrics command listeners, TLS, the application's own), like Boot's MongoClient does.
        MongoClientSettings.Builder base = MongoClientSettings.builder();
        customizers.orderedStream().forEach(c -> c.customize(base));
        builder.clientSettings(base.build());
        String uri = connection.getConnectionString().getConnectionString();
        PropertyCheck.set("spring.mongodb.uri", uri, Masking.connectionString(uri), () -> builder.primary(uri));
        PropertyCheck.set("mongocache.pools.primary-max-connections", p.getPrimaryMaxConnections(),
                () -> builder.primaryMaxConnections(p.getPrimaryMaxConnections()));
        PropertyCheck.set("mongocache.pools.max-open-pools", p.getMaxOpenPools(),
                () -> builder.maxOpenPools(p.getMaxOpenPools()));
        // The container closes the pools; a JVM hook of their own would race it.
        builder.shutdownHook(false);
        for (Map.Entry<String, MongoCacheProperties.Pool> e : p.getDatabases().entrySet()) {
            String prefix = "mongocache.pools.databases." + e.getKey();
            PropertyCheck.set(prefix, e.getKey(), () -> builder.separatePool(e.getKey(), poolOptions(prefix,
                    e.getValue())));
        }
        return builder.build();
    }

    private static PoolOptions poolOptions(String prefix, MongoCacheProperties.Pool pool) {
        PoolOptions.Builder b = PoolOptions.builder();
        PropertyCheck.set(prefix + ".uri", pool.getUri(), pool.getUri() == null ? null : Masking.connectionString(pool.getUri()),
                () -> b.uri(pool.getUri()));
        PropertyCheck.set(prefix + ".max-connections", pool.getMaxConnections(),
                () -> b.maxConnections(pool.getMaxConnections()));
        PropertyCheck.set(prefix + ".min-connections", pool.getMinConnections(),
                () -> b.minConnections(pool.getMinConnections()));
        PropertyCheck.set(prefix + ".idle-ttl", pool.getIdleTtl(), () -> b.autoClose(pool.getIdleTtl()));
        PropertyCheck.set(prefix + ".cold-start", pool.getColdStart(), () -> b.coldStart(pool.getColdStart()));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidMongoCachePropertyException(prefix, null, e.getMessage());
        }
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    MongoCache mongoCache(MongoCacheProperties properties, MongoClient client, ObjectProvider<MongoPools> pools) {
        MongoCacheBuilder b = MongoCache.builder();
        MongoCacheProperties.Redis redis = properties.getRedis();
        if (redis.getUri() != null && !redis.getCluster().isEmpty()) {
            throw new InvalidMongoCachePropertyException("mongocache.redis.cluster", null,
                    "set either mongocache.redis.uri (a standalone Redis) or mongocache.redis.cluster (Redis Cluster "
                            + "seeds), not both");
        }
        PropertyCheck.set("mongocache.redis.uri", redis.getUri(),
                redis.getUri() == null ? null : Masking.connectionString(redis.getUri()), () -> b.redis(redis.getUri()));
        if (!redis.getCluster().isEmpty()) {
            PropertyCheck.set("mongocache.redis.cluster", redis.getCluster(),
                    redis.getCluster().stream().map(Masking::connectionString).toList(),
                    () -> b.redisCluster(redis.getCluster().toArray(String[]::new)));
        }
        PropertyCheck.set("mongocache.redis.timeout", redis.getTimeout(), () -> b.redisTimeout(redis.getTimeout()));
        PropertyCheck.set("mongocache.redis.retry-interval", redis.getRetryInterval(),
                () -> b.redisRetryInterval(redis.getRetryInterval()));
        PropertyCheck.set("mongocache.default-ttl", properties.getDefaultTtl(),
                () -> b.defaultTtl(properties.getDefaultTtl()));
        PropertyCheck.set("mongocache.max-local-bytes", properties.getMaxLocalBytes(),
                () -> b.maxLocalBytes(properties.getMaxLocalBytes().toBytes()));
        PropertyCheck.set("mongocache.max-result-bytes", properties.getMaxResultBytes(),
                () -> b.maxResultBytes(properties.getMaxResultBytes().toBytes()));
        PropertyCheck.set("mongocache.max-staleness", properties.getMaxStaleness(),
                () -> b.maxStaleness(properties.getMaxStaleness()));
        PropertyCheck.set("mongocache.key-prefix", properties.getKeyPrefix(),
                () -> b.keyPrefix(properties.getKeyPrefix()));
        PropertyCheck.set("mongocache.invalidation-mode", properties.getInvalidationMode(),
                () -> b.invalidation(properties.getInvalidationMode()));
        PropertyCheck.set("mongocache.precise-invalidation", properties.getPreciseInvalidation(),
                () -> b.preciseInvalidation(properties.getPreciseInvalidation()));
        PropertyCheck.set("mongocache.ttl-jitter", properties.getTtlJitter(),
                () -> b.ttlJitter(properties.getTtlJitter()));
        PropertyCheck.set("mongocache.refresh-ahead", properties.getRefreshAhead(),
                () -> b.refreshAhead(properties.getRefreshAhead()));
        PropertyCheck.set("mongocache.max-tracked-namespaces", properties.getMaxTrackedNamespaces(),
                () -> b.maxTrackedNamespaces(properties.getMaxTrackedNamespaces()));
        MongoPools p = pools.getIfAvailable();
        if (p != null) {
            b.databases(p::database);
        } else {
            b.databases(client);
        }
        return b.build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnClass(Coordinator.class)
    @Conditional(CoordinatorConfigured.class)
    Coordinator mongoCacheCoordinator(MongoCacheProperties properties, MongoClient client, MongoCache cache,
            ObjectProvider<MongoPools> pools) {
        MongoCacheProperties.Coordinator c = properties.getCoordinator();
        Coordinator.Builder b = Coordinator.builder().client(client).cache(cache);
        List<String> watch = c.getWatch();
        if (!watch.isEmpty()) {
            boolean collections = watch.get(0).contains(".");
            if (watch.stream().anyMatch(w -> w.contains(".") != collections)) {
                throw new InvalidMongoCachePropertyException("mongocache.coordinator.watch", watch,
                        "list either databases (shop) or collections (shop.orders), not both");
            }
            PropertyCheck.set("mongocache.coordinator.watch", watch, () -> b.watch(collections
                    ? WatchScope.collections(watch.toArray(String[]::new))
                    : WatchScope.databases(watch.toArray(String[]::new))));
        }
        PropertyCheck.set("mongocache.coordinator.state-database", c.getStateDatabase(),
                () -> b.stateDatabase(c.getStateDatabase()));
        PropertyCheck.set("mongocache.coordinator.lease-name", c.getLeaseName(), () -> b.leaseName(c.getLeaseName()));
        PropertyCheck.set("mongocache.coordinator.node-id", c.getNodeId(), () -> b.nodeId(c.getNodeId()));
        PropertyCheck.set("mongocache.coordinator.heartbeat-interval", c.getHeartbeatInterval(),
                () -> b.heartbeatInterval(c.getHeartbeatInterval()));
        PropertyCheck.set("mongocache.coordinator.require-change-streams", c.getRequireChangeStreams(),
                () -> b.requireChangeStreams(c.getRequireChangeStreams()));
        if (c.getLeaseDuration() != null || c.getRenewDeadline() != null || c.getRetryPeriod() != null) {
            LeaseSettings.Builder lease = LeaseSettings.builder();
            PropertyCheck.set("mongocache.coordinator.lease-duration", c.getLeaseDuration(),
                    () -> lease.leaseDuration(c.getLeaseDuration()));
            PropertyCheck.set("mongocache.coordinator.renew-deadline", c.getRenewDeadline(),
                    () -> lease.renewDeadline(c.getRenewDeadline()));
            PropertyCheck.set("mongocache.coordinator.retry-period", c.getRetryPeriod(),
                    () -> lease.retryPeriod(c.getRetryPeriod()));
            PropertyCheck.set("mongocache.coordinator.lease-duration", c.getLeaseDuration(),
                    () -> b.lease(lease.build()));
        }
        PropertyCheck.set("mongocache.coordinator.collection-refresh", c.getCollectionRefresh(),
                () -> b.collectionRefresh(c.getCollectionRefresh()));
        PropertyCheck.set("mongocache.coordinator.stream-threads", c.getStreamThreads(),
                () -> b.streamThreads(c.getStreamThreads()));
        PropertyCheck.set("mongocache.coordinator.miss-deadline", c.getMissDeadline(),
                () -> b.missDeadline(c.getMissDeadline()));
        MongoCacheProperties.Delegation d = c.getDelegation();
        if (d.getAckTimeout() != null || d.getMaxAttempts() != null || d.getServingPermits() != null
                || d.getChunkSize() != null) {
            DelegationSettings.Builder settings = DelegationSettings.builder();
            String prefix = "mongocache.coordinator.delegation.";
            PropertyCheck.set(prefix + "ack-timeout", d.getAckTimeout(), () -> settings.ackTimeout(d.getAckTimeout()));
            PropertyCheck.set(prefix + "max-attempts", d.getMaxAttempts(),
                    () -> settings.maxAttempts(d.getMaxAttempts()));
            PropertyCheck.set(prefix + "serving-permits", d.getServingPermits(),
                    () -> settings.servingPermits(d.getServingPermits()));
            PropertyCheck.set(prefix + "chunk-size", d.getChunkSize(),
                    () -> settings.chunkBytes((int) Math.min(Integer.MAX_VALUE, d.getChunkSize().toBytes())));
            PropertyCheck.set("mongocache.coordinator.delegation", d, null, () -> b.delegation(settings.build()));
        }
        if (!c.getDelegate().isEmpty()) {
            PropertyCheck.set("mongocache.coordinator.delegate", c.getDelegate(),
                    () -> b.delegate(c.getDelegate().toArray(String[]::new)));
            b.pools(pools.getObject());
        }
        return b.start();
    }

    @Bean
    @ConditionalOnClass(MongoDatabaseFactory.class)
    static DatabaseFactoryWrapper mongoCacheDatabaseFactoryWrapper(ObjectProvider<MongoCache> cache,
            ObjectProvider<MongoPools> pools) {
        return new DatabaseFactoryWrapper(cache, pools);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean(name = "mongoCacheHintsAdvisor")
    static CacheHintsAdvisor mongoCacheHintsAdvisor() {
        return new CacheHintsAdvisor();
    }

    /** Makes sure an auto-proxy creator exists, so the hints advisor applies (Boot's AOP configuration may be off). */
    static final class AutoProxying implements ImportBeanDefinitionRegistrar {
        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
        }
    }

    /** Whether the list property {@code name} has an entry. */
    private static boolean listed(Binder binder, String name) {
        return !binder.bind(name, Bindable.listOf(String.class)).orElse(List.of()).isEmpty();
    }

    /** True when separate pools or delegation are configured. */
    static final class PoolsConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            boolean pools = !binder.bind("mongocache.pools.databases", Bindable.mapOf(String.class, Object.class))
                    .orElse(Map.of()).isEmpty();
            return pools || listed(binder, "mongocache.coordinator.delegate") ? ConditionOutcome.match("mongocache.pools.databases or "
                    + "mongocache.coordinator.delegate is set") : ConditionOutcome.noMatch("no separate pools or "
                    + "delegation configured");
        }
    }

    /** True when the coordinator has something to do: a watch scope or delegated databases. */
    static final class CoordinatorConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            boolean any = listed(binder, "mongocache.coordinator.watch")
                    || listed(binder, "mongocache.coordinator.delegate");
            return any ? ConditionOutcome.match("mongocache.coordinator.watch or .delegate is set")
                    : ConditionOutcome.noMatch("neither mongocache.coordinator.watch nor .delegate is set");
        }
    }
}

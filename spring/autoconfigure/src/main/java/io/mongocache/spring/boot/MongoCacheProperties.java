package io.mongocache.spring.boot;

import io.mongocache.InvalidationMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code mongocache.*} properties. A property left unset keeps the library's own default (the builders'), so
 * the README's tables of defaults hold for Spring too. Values are checked when the beans are built; a bad one stops
 * start-up with a failure analysis naming the property and the rule (never showing a password).
 */
@ConfigurationProperties("mongocache")
public class MongoCacheProperties {
    /** Whether the starter configures anything at all. */
    private boolean enabled = true;
    /** How long a cached result lives unless a query or {@code @CacheTtl} says otherwise (library default 5m). */
    private @Nullable Duration defaultTtl;
    /** The local (Caffeine) tier's bound in bytes (library default 64MB). */
    private @Nullable DataSize maxLocalBytes;
    /** Results larger than this are not cached (library default 1MB). */
    private @Nullable DataSize maxResultBytes;
    /** How long another node may serve a value after a write (library default 2s). */
    private @Nullable Duration maxStaleness;
    /** Prefix of every Redis key and channel, to share a Redis between applications. */
    private @Nullable String keyPrefix;
    /** SYNC (the write waits for Redis) or ASYNC (Redis follows the write). */
    private @Nullable InvalidationMode invalidationMode;
    /** Whether writes by _id invalidate only those documents' point reads (library default true). */
    private @Nullable Boolean preciseInvalidation;
    /** Random spread of TTLs, 0 to 0.5, against synchronized expiry. */
    private @Nullable Double ttlJitter;
    /** Fraction of the TTL after which a hit reloads the entry in the background; 0 turns it off. */
    private @Nullable Double refreshAhead;
    /** Namespaces whose statistics are tracked one by one; the rest count in the totals. */
    private @Nullable Integer maxTrackedNamespaces;

    private final Redis redis = new Redis();
    private final Coordinator coordinator = new Coordinator();
    private final Pools pools = new Pools();
    private final Metrics metrics = new Metrics();

    /** The shared tier; without a URI or cluster seeds the cache is local to each node (and not cluster-safe). */
    public static class Redis {
        /** A standalone Redis, {@code redis://[user:password@]host:port[/db]} or {@code rediss://}. */
        private @Nullable String uri;
        /** Redis Cluster seed URIs (instead of {@code uri}). */
        private List<String> cluster = new ArrayList<>();
        /** Command timeout; a slower Redis is skipped, never waited on. */
        private @Nullable Duration timeout;
        /** How often an unreachable Redis is probed. */
        private @Nullable Duration retryInterval;

        public @Nullable String getUri() {
            return uri;
        }

        public void setUri(@Nullable String uri) {
            this.uri = uri;
        }

        public List<String> getCluster() {
            return cluster;
        }

        public void setCluster(List<String> cluster) {
            this.cluster = cluster;
        }

        public @Nullable Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(@Nullable Duration timeout) {
            this.timeout = timeout;
        }

        public @Nullable Duration getRetryInterval() {
            return retryInterval;
        }

        public void setRetryInterval(@Nullable Duration retryInterval) {
            this.retryInterval = retryInterval;
        }
    }

    /** The Coordinator: lease election, the change-stream watcher, delegation. Started when watch or delegate is set. */
    public static class Coordinator {
        /** Databases ({@code shop}) or collections ({@code shop.orders}) whose outside writes the leader watches. */
        private List<String> watch = new ArrayList<>();
        /** Databases whose reads may be delegated to a peer when this node's pool is saturated (needs pools). */
        private List<String> delegate = new ArrayList<>();
        /** The database holding the lease, checkpoints and node registry (library default mongocache). */
        private @Nullable String stateDatabase;
        /** The lease's name, to run several independent clusters on one state database. */
        private @Nullable String leaseName;
        /** This node's id in the registry (library default: host name and a random suffix). */
        private @Nullable String nodeId;
        /** How long a lease lasts without renewal. */
        private @Nullable Duration leaseDuration;
        /** How long a leader keeps trying to renew before it steps down. */
        private @Nullable Duration renewDeadline;
        /** How often a follower tries to take the lease. */
        private @Nullable Duration retryPeriod;
        /** How often this node writes its heartbeat. */
        private @Nullable Duration heartbeatInterval;
        /** Whether start-up fails when change streams cannot open (a standalone mongod). */
        private @Nullable Boolean requireChangeStreams;
        /** How often the leader looks for collections created in watched databases. */
        private @Nullable Duration collectionRefresh;
        /** Threads that run the leader's change streams. */
        private @Nullable Integer streamThreads;
        /** How long a cached miss on a saturated pool waits for a peer before running here. */
        private @Nullable Duration missDeadline;
        private final Delegation delegation = new Delegation();

        public @Nullable Duration getCollectionRefresh() {
            return collectionRefresh;
        }

        public void setCollectionRefresh(@Nullable Duration collectionRefresh) {
            this.collectionRefresh = collectionRefresh;
        }

        public @Nullable Integer getStreamThreads() {
            return streamThreads;
        }

        public void setStreamThreads(@Nullable Integer streamThreads) {
            this.streamThreads = streamThreads;
        }

        public @Nullable Duration getMissDeadline() {
            return missDeadline;
        }

        public void setMissDeadline(@Nullable Duration missDeadline) {
            this.missDeadline = missDeadline;
        }

        public Delegation getDelegation() {
            return delegation;
        }

        public List<String> getWatch() {
            return watch;
        }

        public void setWatch(List<String> watch) {
            this.watch = watch;
        }

        public List<String> getDelegate() {
            return delegate;
        }

        public void setDelegate(List<String> delegate) {
            this.delegate = delegate;
        }

        public @Nullable String getStateDatabase() {
            return stateDatabase;
        }

        public void setStateDatabase(@Nullable String stateDatabase) {
            this.stateDatabase = stateDatabase;
        }

        public @Nullable String getLeaseName() {
            return leaseName;
        }

        public void setLeaseName(@Nullable String leaseName) {
            this.leaseName = leaseName;
        }

        public @Nullable String getNodeId() {
            return nodeId;
        }

        public void setNodeId(@Nullable String nodeId) {
            this.nodeId = nodeId;
        }

        public @Nullable Duration getLeaseDuration() {
            return leaseDuration;
        }

        public void setLeaseDuration(@Nullable Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
        }

        public @Nullable Duration getRenewDeadline() {
            return renewDeadline;
        }

        public void setRenewDeadline(@Nullable Duration renewDeadline) {
            this.renewDeadline = renewDeadline;
        }

        public @Nullable Duration getRetryPeriod() {
            return retryPeriod;
        }

        public void setRetryPeriod(@Nullable Duration retryPeriod) {
            this.retryPeriod = retryPeriod;
        }

        public @Nullable Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(@Nullable Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public @Nullable Boolean getRequireChangeStreams() {
            return requireChangeStreams;
        }

        public void setRequireChangeStreams(@Nullable Boolean requireChangeStreams) {
            this.requireChangeStreams = requireChangeStreams;
        }
    }

    /** How delegated reads travel ({@code DelegationSettings}). */
    public static class Delegation {
        /** How long a peer has to acknowledge a request before the next is tried. */
        private @Nullable Duration ackTimeout;
        /** Peers tried per read. */
        private @Nullable Integer maxAttempts;
        /** Peers' reads this node serves at once. */
        private @Nullable Integer servingPermits;
        /** Size of one reply chunk. */
        private @Nullable DataSize chunkSize;

        public @Nullable Duration getAckTimeout() {
            return ackTimeout;
        }

        public void setAckTimeout(@Nullable Duration ackTimeout) {
            this.ackTimeout = ackTimeout;
        }

        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public @Nullable Integer getServingPermits() {
            return servingPermits;
        }

        public void setServingPermits(@Nullable Integer servingPermits) {
            this.servingPermits = servingPermits;
        }

        public @Nullable DataSize getChunkSize() {
            return chunkSize;
        }

        public void setChunkSize(@Nullable DataSize chunkSize) {
            this.chunkSize = chunkSize;
        }
    }

    /**
     * {@code MongoPools}: separate pools per database. Configured when {@code databases} has an entry or the
     * coordinator delegates; Spring Data's databases then come from the pools.
     */
    public static class Pools {
        /** The shared primary pool's size (library default: the driver's, 100). */
        private @Nullable Integer primaryMaxConnections;
        /** At most this many separate pools open at once; the least recently used closes first. */
        private @Nullable Integer maxOpenPools;
        /** Separate pools by database name. */
        private Map<String, Pool> databases = new LinkedHashMap<>();

        public @Nullable Integer getPrimaryMaxConnections() {
            return primaryMaxConnections;
        }

        public void setPrimaryMaxConnections(@Nullable Integer primaryMaxConnections) {
            this.primaryMaxConnections = primaryMaxConnections;
        }

        public @Nullable Integer getMaxOpenPools() {
            return maxOpenPools;
        }

        public void setMaxOpenPools(@Nullable Integer maxOpenPools) {
            this.maxOpenPools = maxOpenPools;
        }

        public Map<String, Pool> getDatabases() {
            return databases;
        }

        public void setDatabases(Map<String, Pool> databases) {
            this.databases = databases;
        }
    }

    /** One separate pool. */
    public static class Pool {
        /** Its own connection string (default: the application's). */
        private @Nullable String uri;
        private @Nullable Integer maxConnections;
        private @Nullable Integer minConnections;
        /** Close the pool after this long without use (reopens on next use). */
        private @Nullable Duration idleTtl;
        /** Open on first use (true, the default) or at start-up. */
        private @Nullable Boolean coldStart;

        public @Nullable String getUri() {
            return uri;
        }

        public void setUri(@Nullable String uri) {
            this.uri = uri;
        }

        public @Nullable Integer getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(@Nullable Integer maxConnections) {
            this.maxConnections = maxConnections;
        }

        public @Nullable Integer getMinConnections() {
            return minConnections;
        }

        public void setMinConnections(@Nullable Integer minConnections) {
            this.minConnections = minConnections;
        }

        public @Nullable Duration getIdleTtl() {
            return idleTtl;
        }

        public void setIdleTtl(@Nullable Duration idleTtl) {
            this.idleTtl = idleTtl;
        }

        public @Nullable Boolean getColdStart() {
            return coldStart;
        }

        public void setColdStart(@Nullable Boolean coldStart) {
            this.coldStart = coldStart;
        }
    }

    /** Micrometer binding. */
    public static class Metrics {
        /** The cache name every meter carries as its {@code cache} tag. */
        private String cacheName = "mongocache";
        /** How many namespaces get meters of their own (tag {@code namespace}); 0: totals only. */
        private int namespaceTags;

        public String getCacheName() {
            return cacheName;
        }

        public void setCacheName(String cacheName) {
            this.cacheName = cacheName;
        }

        public int getNamespaceTags() {
            return namespaceTags;
        }

        public void setNamespaceTags(int namespaceTags) {
            this.namespaceTags = namespaceTags;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Duration getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(@Nullable Duration defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public @Nullable DataSize getMaxLocalBytes() {
        return maxLocalBytes;
    }

    public void setMaxLocalBytes(@Nullable DataSize maxLocalBytes) {
        this.maxLocalBytes = maxLocalBytes;
    }

    public @Nullable DataSize getMaxResultBytes() {
        return maxResultBytes;
    }

    public void setMaxResultBytes(@Nullable DataSize maxResultBytes) {
        this.maxResultBytes = maxResultBytes;
    }

    public @Nullable Duration getMaxStaleness() {
        return maxStaleness;
    }

    public void setMaxStaleness(@Nullable Duration maxStaleness) {
        this.maxStaleness = maxStaleness;
    }

    public @Nullable String getKeyPrefix() {
        return keyPrefix;
    }

    public void setKeyPrefix(@Nullable String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public @Nullable InvalidationMode getInvalidationMode() {
        return invalidationMode;
    }

    public void setInvalidationMode(@Nullable InvalidationMode invalidationMode) {
        this.invalidationMode = invalidationMode;
    }

    public @Nullable Boolean getPreciseInvalidation() {
        return preciseInvalidation;
    }

    public void setPreciseInvalidation(@Nullable Boolean preciseInvalidation) {
        this.preciseInvalidation = preciseInvalidation;
    }

    public @Nullable Double getTtlJitter() {
        return ttlJitter;
    }

    public void setTtlJitter(@Nullable Double ttlJitter) {
        this.ttlJitter = ttlJitter;
    }

    public @Nullable Double getRefreshAhead() {
        return refreshAhead;
    }

    public void setRefreshAhead(@Nullable Double refreshAhead) {
        this.refreshAhead = refreshAhead;
    }

    public @Nullable Integer getMaxTrackedNamespaces() {
        return maxTrackedNamespaces;
    }

    public void setMaxTrackedNamespaces(@Nullable Integer maxTrackedNamespaces) {
        this.maxTrackedNamespaces = maxTrackedNamespaces;
    }

    public Redis getRedis() {
        return redis;
    }

    public Coordinator getCoordinator() {
        return coordinator;
    }

    public Pools getPools() {
        return pools;
    }

    public Metrics getMetrics() {
        return metrics;
    }
}

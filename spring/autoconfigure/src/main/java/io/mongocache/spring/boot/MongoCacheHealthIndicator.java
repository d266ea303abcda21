package io.mongocache.spring.boot;

import io.mongocache.CacheStats;
import io.mongocache.MongoCache;
import io.mongocache.coordination.Coordinator;
import io.mongocache.pooling.HealthReport;
import io.mongocache.pooling.MongoPools;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code mongocache} health contributor. {@code UP} when every part works; {@code DEGRADED} — a status of its
 * own, which Boot's default aggregation leaves out of the application's overall status and maps to HTTP 200 — when
 * the cache still answers correctly from MongoDB but with less help: Redis unreachable or refusing, the local tier
 * distrusted after a channel gap, the coordinator reporting a problem (a leader whose watcher is not watching), or a
 * separate pool failing its ping. {@code DOWN} only when the cache is closed. Details: Redis availability and
 * problem, channel counters and trust, the coordinator's leader, epoch, scopes, open streams and problems, and each
 * pool's ping.
 */
public final class MongoCacheHealthIndicator implements HealthIndicator {
    /** The status of a cache that serves correctly with a part missing. */
    public static final Status DEGRADED = new Status("DEGRADED", "serving from MongoDB with a part of the cache "
            + "unavailable");

    private final MongoCache cache;
    private final @Nullable Coordinator coordinator;
    private final @Nullable MongoPools pools;

    public MongoCacheHealthIndicator(MongoCache cache, @Nullable Coordinator coordinator, @Nullable MongoPools pools) {
        this.cache = cache;
        this.coordinator = coordinator;
        this.pools = pools;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (cache.isClosed()) {
            return Health.down().withDetail("error", "the cache is closed: cached collections refuse every call")
                    .build();
        }
        CacheStats stats = cache.stats();
        boolean redisConfigured = !cache.config().redisUris().isEmpty();
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("configured", redisConfigured);
        if (redisConfigured) {
            redis.put("available", stats.redisAvailable());
            if (stats.redisProblem() != null) {
                redis.put("problem", stats.redisProblem());
            }
            if (!stats.redisAvailable()) {
                problems.add("Redis unavailable: reads go to MongoDB, other nodes' invalidations wait"
                        + (stats.redisProblem() == null ? "" : " (" + stats.redisProblem() + ")"));
            }
        }
        details.put("redis", redis);
        CacheStats.Channel channel = stats.channel();
        details.put("channel", Map.of("received", channel.received(), "gaps", channel.gaps(), "flushes",
                channel.flushes(), "localTierTrusted", channel.localTierTrusted(), "lagMicros", channel.lagMicros()));
        if (!channel.localTierTrusted()) {
            problems.add("local tier distrusted: the invalidation channel is behind, local entries are skipped");
        }
        details.put("hitRatio", stats.totals().hitRatio());
        if (coordinator != null) {
            Coordinator.Status s = coordinator.status();
            Coordinator.Health h = coordinator.health();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("nodeId", coordinator.nodeId());
            c.put("leader", s.leader());
            c.put("epoch", s.epoch());
            c.put("scopes", s.scopes());
            c.put("streamsOpen", s.streamsOpen());
            c.put("events", s.events());
            c.put("problems", h.problems());
            details.put("coordinator", c);
            problems.addAll(h.problems());
        }
        if (pools != null) {
            HealthReport report = pools.health();
            List<Map<String, Object>> list = new ArrayList<>();
            for (HealthReport.PoolHealth p : report.pools()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("pool", p.pool());
                one.put("up", p.up());
                one.put("latencyMillis", p.latencyMillis());
                if (p.error() != null) {
                    one.put("error", p.error());
                }
                list.add(one);
                if (!p.up()) {
                    problems.add("pool " + p.pool() + " down: " + p.error());
                }
            }
            details.put("pools", list);
        }
        details.put("problems", problems);
        return Health.status(problems.isEmpty() ? Status.UP : DEGRADED).withDetails(details).build();
    }
}

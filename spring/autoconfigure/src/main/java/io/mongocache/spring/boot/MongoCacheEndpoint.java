package io.mongocache.spring.boot;

import com.mongodb.MongoNamespace;
import io.mongocache.MongoCache;
import io.mongocache.common.Checks;
import io.mongocache.coordination.Coordinator;
import io.mongocache.pooling.MongoPools;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/mongocache}: {@code GET} returns the cache's statistics (totals, per namespace, Redis, channel),
 * the coordinator's status and delegation counters, and the pools' statistics; {@code DELETE
 * /actuator/mongocache/{target}} flushes on every node — {@code target} a namespace {@code db.collection}, a
 * database name, or {@code *} for everything — through the same invalidation a write sends.
 */
@Endpoint(id = "mongocache")
public final class MongoCacheEndpoint {
    private final MongoCache cache;
    private final @Nullable Coordinator coordinator;
    private final @Nullable MongoPools pools;

    public MongoCacheEndpoint(MongoCache cache, @Nullable Coordinator coordinator, @Nullable MongoPools pools) {
        this.cache = cache;
        this.coordinator = coordinator;
        this.pools = pools;
    }

    @ReadOperation
    public Map<String, Object> report() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stats", cache.stats());
        if (coordinator != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("nodeId", coordinator.nodeId());
            c.put("status", coordinator.status());
            c.put("health", coordinator.health());
            coordinator.delegationStats().ifPresent(d -> c.put("delegation", d));
            c.put("peers", coordinator.peers().size());
            out.put("coordinator", c);
        }
        if (pools != null) {
            out.put("pools", pools.stats());
        }
        return out;
    }

    /**
     * Flushes {@code target} on every node.
     *
     * @param target {@code db.collection}, a database name, or {@code *}
     * @return what was flushed
     * @throws InvalidEndpointRequestException if {@code target} is none of these (Boot answers 400)
     */
    @DeleteOperation
    public Map<String, String> flush(@Selector String target) {
        if (target.equals("*")) {
            cache.invalidateAll();
            return Map.of("flushed", "everything");
        }
        int dot = target.indexOf('.');
        try {
            Checks.databaseName("target", dot < 0 ? target : target.substring(0, dot));
            if (dot < 0) {
                cache.invalidateDatabase(target);
                return Map.of("flushed", "database " + target);
            }
            MongoNamespace namespace = new MongoNamespace(target);
            cache.invalidate(namespace);
            return Map.of("flushed", namespace.getFullName());
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException("target must be db.collection, a database name or *: "
                    + e.getMessage(), "invalid target");
        }
    }
}

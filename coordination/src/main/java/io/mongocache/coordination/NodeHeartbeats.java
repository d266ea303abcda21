package io.mongocache.coordination;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's registry record fresh — the free connections of its delegated databases and the lease epoch it
 * leads under — and the list of live nodes as of the last beat.
 *
 * <p>Concurrency: {@link #beat()} runs on the coordinator's background thread (and once on the starting thread);
 * {@link #alive()} is a volatile snapshot any thread may read. After {@link #stop()} a beat does nothing.
 */
final class NodeHeartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeats.class);

    private final NodeRegistry registry;
    private final Coordinator.Settings config;
    private final Supplier<Optional<Lease>> lease;
    private volatile List<NodeRegistry.Peer> alive = List.of();
    private volatile boolean stopped;

    NodeHeartbeats(NodeRegistry registry, Coordinator.Settings config, Supplier<Optional<Lease>> lease) {
        this.registry = registry;
        this.config = config;
        this.lease = lease;
    }

    /** Writes this node's record and reads the live ones; a failure is logged (peers drop a silent node). */
    void beat() {
        if (stopped) {
            return;
        }
        try {
            Map<String, Integer> capacity = new LinkedHashMap<>();
            for (String db : config.delegated) {
                capacity.put(db, config.pools.pools().freeConnections(db));
            }
            registry.heartbeat(lease.get().map(Lease::epoch).orElse(null), capacity);
            alive = registry.alive();
        } catch (RuntimeException e) {
            LOG.warn("mongocache: node heartbeat failed ({}); peers see this node as gone after {}", e.toString(),
                    config.heartbeatInterval.multipliedBy(3));
        }
    }

    /** Live nodes as of the last beat, this one included. */
    List<NodeRegistry.Peer> alive() {
        return alive;
    }

    /** Stops beating and removes this node's record (a failure leaves it to go stale). */
    void stop() {
        stopped = true;
        try {
            registry.remove();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: removing this node from the registry failed; it goes stale", e);
        }
    }
}

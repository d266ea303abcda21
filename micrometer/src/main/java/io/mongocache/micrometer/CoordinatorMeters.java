package io.mongocache.micrometer;

import static io.mongocache.micrometer.MeterSpec.counter;
import static io.mongocache.micrometer.MeterSpec.flag;
import static io.mongocache.micrometer.MeterSpec.gauge;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongocache.coordination.Coordinator;
import io.mongocache.coordination.Delegation;
import java.util.List;

/**
 * Gauges and counters of a {@link Coordinator}: leadership, the watcher's streams and events, this node's health and
 * the live nodes, and delegated reads both ways. The only class that touches {@code mongocache-coordination}: it is
 * loaded only when a coordinator is handed to the builder.
 */
final class CoordinatorMeters implements MeterBinder {
    private static final Delegation.Stats NO_DELEGATION = new Delegation.Stats(0, 0, 0, 0, 0, 0, 0);
    private static final String STREAMS = "Change streams of the watched scopes on this node, open or not yet (or no "
            + "longer) open; 0 unless it leads";
    private static final String DELEGATIONS = "Delegated reads: sent by this node and answered by a peer (answered) "
            + "or by none (no_peer); received from peers and served or refused";

    /** One reading of the coordinator (without delegation, its counters are zero). */
    record Reading(Coordinator.Status status, boolean healthy, int nodes, Delegation.Stats delegation) {
        static Reading of(Coordinator coordinator) {
            return new Reading(coordinator.status(), coordinator.health().healthy(), coordinator.peers().size(),
                    coordinator.delegationStats().orElse(NO_DELEGATION));
        }
    }

    static final List<MeterSpec<Reading>> METERS = List.of(
            flag("mongocache.coordinator.leader", "1 while this node holds the watcher lease, else 0",
                    r -> r.status().leader()),
            gauge("mongocache.coordinator.epoch", "The lease epoch this node leads under, 0 unless it leads",
                    r -> r.status().epoch()),
            flag("mongocache.coordinator.healthy", "1 unless Coordinator.health() reports a problem, else 0",
                    Reading::healthy),
            gauge("mongocache.coordinator.nodes", "Live nodes in the registry, this one included",
                    Reading::nodes),
            gauge("mongocache.coordinator.streams", STREAMS, r -> r.status().streamsOpen(), "state", "open"),
            gauge("mongocache.coordinator.streams", STREAMS,
                    r -> r.status().scopes().size() - r.status().streamsOpen(), "state", "closed"),
            counter("mongocache.coordinator.events", "Change events the current term's watchers turned into "
                    + "invalidations (from 0 again with each term)", r -> r.status().events()),
            counter("mongocache.coordinator.flushes", "Whole-scope flushes of the current term's watchers (fresh "
                    + "starts, lost history; from 0 again with each term)", r -> r.status().flushes()),
            counter("mongocache.coordinator.stepdowns", "Times this node handed the watcher over on its own",
                    r -> r.status().stepDowns()),
            counter("mongocache.delegations", DELEGATIONS, r -> r.delegation().delegated(),
                    "direction", "sent", "outcome", "answered"),
            counter("mongocache.delegations", DELEGATIONS, r -> r.delegation().noPeer(),
                    "direction", "sent", "outcome", "no_peer"),
            counter("mongocache.delegations", DELEGATIONS, r -> r.delegation().served(),
                    "direction", "received", "outcome", "served"),
            counter("mongocache.delegations", DELEGATIONS, r -> r.delegation().refused(),
                    "direction", "received", "outcome", "refused"),
            counter("mongocache.delegation.retries", "Attempts after the first one of delegated reads",
                    r -> r.delegation().retries()),
            gauge("mongocache.delegation.pending", "Delegated reads waiting for a peer's reply now",
                    r -> r.delegation().pending()));

    private final Coordinator coordinator;
    private final MeterSettings settings;
    private final Snapshots<Coordinator, Reading> readings;

    CoordinatorMeters(Coordinator coordinator, MeterSettings settings) {
        this.coordinator = coordinator;
        this.settings = settings;
        this.readings = settings.snapshots(Reading::of);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MeterSpec.registerAll(METERS, registry, settings.common(), coordinator, readings::read);
    }
}

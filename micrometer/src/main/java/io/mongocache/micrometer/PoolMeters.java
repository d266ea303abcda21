package io.mongocache.micrometer;

import static io.mongocache.micrometer.MeterSpec.gauge;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolStats;
import io.mongocache.pooling.PoolsStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connection gauges of a {@link MongoPools}, per pool under a bounded {@code database} tag ({@link TaggedRows}:
 * the primary pool is {@value MongoPools#PRIMARY} and comes first). The only class that touches
 * {@code mongocache-pooling}: it is loaded only when pools are handed to the builder.
 */
final class PoolMeters implements MeterBinder {
    private static final String CONNECTIONS = "Connections of the pool, checked out (in_use) or open and idle "
            + "(available); their sum is the connections open";

    /** One pool's load, or the sum of several. */
    record PoolUse(long inUse, long available, long waiting) {
        static final PoolUse ZERO = new PoolUse(0, 0, 0);

        PoolUse plus(PoolUse o) {
            return new PoolUse(inUse + o.inUse, available + o.available, waiting + o.waiting);
        }

        PoolUse minus(PoolUse o) {
            return new PoolUse(inUse - o.inUse, available - o.available, waiting - o.waiting);
        }
    }

    /** A {@link PoolsStats} as rows by pool name and their sum. */
    record PoolsReading(Map<String, PoolUse> pools, PoolUse total) {
        static PoolsReading of(PoolsStats stats) {
            Map<String, PoolUse> pools = new LinkedHashMap<>();
            PoolUse total = PoolUse.ZERO;
            for (PoolStats pool : stats.pools()) {
                PoolUse use = new PoolUse(pool.inUse(), pool.available(), pool.waitQueue());
                pools.put(pool.pool(), use);
                total = total.plus(use);
            }
            return new PoolsReading(pools, total);
        }
    }

    static final List<MeterSpec<PoolUse>> METERS = List.of(
            gauge("mongocache.pool.connections", CONNECTIONS, PoolUse::inUse, "state", "in_use"),
            gauge("mongocache.pool.connections", CONNECTIONS, PoolUse::available, "state", "available"),
            gauge("mongocache.pool.waiting", "Threads waiting for a connection of the pool", PoolUse::waiting));

    private final MongoPools pools;
    private final MeterSettings settings;
    private final Snapshots<MongoPools, PoolsReading> stats;
    private final TaggedRows<MongoPools, PoolsReading, PoolUse> rows;

    /** @param poolTags how many pools get series of their own (0: totals only) */
    PoolMeters(MongoPools pools, int poolTags, MeterSettings settings) {
        this.pools = pools;
        this.settings = settings;
        this.stats = settings.snapshots(p -> PoolsReading.of(p.stats()));
        this.rows = new TaggedRows<>("database", poolTags, PoolsReading::total, PoolsReading::pools, PoolUse::minus,
                PoolUse.ZERO, METERS);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        rows.bindTo(registry, settings.common(), pools, stats);
    }
}

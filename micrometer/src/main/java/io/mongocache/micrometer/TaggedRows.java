package io.mongocache.micrometer;

import com.mongodb.annotations.ThreadSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Meters over the rows of a snapshot — the cache's namespaces, the pools of a {@code MongoPools} — with the row's
 * name as a tag whose values are bounded by {@code max}.
 *
 * <p>With {@code max} 0 each meter is registered once, without the tag, over the total. Otherwise every series of
 * these meters carries the tag: the first {@code max} rows seen get a series of their own (rows are seen in each
 * snapshot's order, as the registry reads the meters; a row once tagged stays tagged), and everything else — rows
 * beyond the bound, and what the total holds beyond the rows (namespaces the core's statistics table folded into its
 * totals) — is one series tagged {@value #OTHER}. So the series of one meter always have the same tag keys, which
 * Prometheus requires, and summing them over the tag gives the total. A tagged row missing from a snapshot reads
 * as zero (a namespace the core's table dropped: its counters restart from zero if it comes back, and registries
 * take that as a counter reset).
 *
 * <p>Concurrency: new rows are tagged and their meters registered by the thread whose read took a new snapshot
 * ({@link Snapshots#onRefresh}), so they appear from the registry's next read on. The tagged set only grows and is
 * guarded by its own lock; each registry's registered rows are a concurrent set. Memory: at most {@code max} names.
 *
 * @param <O> the observed object
 * @param <S> its statistics snapshot
 * @param <R> one row of the snapshot, and the total (rows can be subtracted)
 */
@ThreadSafe
final class TaggedRows<O, S, R> {
    /** The tag value of everything not tagged by name. Namespaces hold a dot and databases never parentheses. */
    static final String OTHER = "(other)";

    private final String tagKey;
    private final int max;
    private final Function<S, R> total;
    private final Function<S, Map<String, R>> rows;
    private final BinaryOperator<R> minus;
    private final R zero;
    private final List<MeterSpec<R>> meters;
    private final Set<String> tagged = new java.util.LinkedHashSet<>();
    /** The tagged names as a list readers can iterate without the lock (replaced on every addition). */
    private volatile List<String> taggedNames = List.of();
    /** The {@value #OTHER} row of the latest snapshot, computed once per snapshot and tagged set. */
    private volatile @Nullable Other<S, R> other;

    private record Other<S, R>(S snapshot, int taggedCount, R row) {}

    /**
     * @param tagKey the tag naming a row ({@code namespace}, {@code database})
     * @param max how many rows get a series of their own; 0: no tag, totals only
     * @param total the snapshot's total row
     * @param rows the snapshot's rows by name, in the order they are to be tagged
     * @param minus {@code a − b}, row by row
     * @param zero the row of a name the snapshot does not hold
     */
    TaggedRows(String tagKey, int max, Function<S, R> total, Function<S, Map<String, R>> rows, BinaryOperator<R> minus,
            R zero, List<MeterSpec<R>> meters) {
        this.tagKey = tagKey;
        this.max = max;
        this.total = total;
        this.rows = rows;
        this.minus = minus;
        this.zero = zero;
        this.meters = List.copyOf(meters);
    }

    /** Registers the meters with {@code registry}, reading {@code snapshots}; new rows are registered as seen. */
    void bindTo(MeterRegistry registry, Tags common, O owner, Snapshots<O, S> snapshots) {
        if (max == 0) {
            MeterSpec.registerAll(meters, registry, common, owner, o -> total.apply(snapshots.read(o)));
            return;
        }
        MeterSpec.registerAll(meters, registry, common.and(tagKey, OTHER), owner, o -> other(snapshots.read(o)));
        Set<String> registered = ConcurrentHashMap.newKeySet();
        BiConsumer<O, S> registerRows = (o, snapshot) -> {
            for (String name : tag(snapshot)) {
                if (registered.add(name)) {
                    MeterSpec.registerAll(meters, registry, common.and(tagKey, name), o,
                            x -> rows.apply(snapshots.read(x)).getOrDefault(name, zero));
                }
            }
        };
        snapshots.onRefresh(registerRows);
        // The rows there are now, and those another registry's binding tagged (the snapshot may be a recent one).
        registerRows.accept(owner, snapshots.read(owner));
    }

    /** Tags rows of {@code snapshot} while there is room; returns every tagged name. */
    private List<String> tag(S snapshot) {
        List<String> names = taggedNames;
        if (names.size() < max) {
            synchronized (tagged) {
                for (String name : rows.apply(snapshot).keySet()) {
                    if (tagged.size() >= max) {
                        break;
                    }
                    tagged.add(name);
                }
                names = taggedNames = List.copyOf(tagged);
            }
        }
        return names;
    }

    /** The snapshot's total minus its tagged rows. */
    private R other(S snapshot) {
        List<String> names = taggedNames;
        Other<S, R> cached = other;
        if (cached != null && cached.snapshot() == snapshot && cached.taggedCount() == names.size()) {
            return cached.row();
        }
        Map<String, R> byName = rows.apply(snapshot);
        R rest = total.apply(snapshot);
        for (String name : names) {
            R row = byName.get(name);
            if (row != null) {
                rest = minus.apply(rest, row);
            }
        }
        other = new Other<>(snapshot, names.size(), rest);
        return rest;
    }
}

package io.mongocache.micrometer;

import com.mongodb.annotations.Immutable;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * One meter over a value of type {@code V} (a statistics snapshot, or one row of it): its name, kind, own tags and
 * description, and how it reads the value. The catalogues of {@link CacheMeters}, {@link CoordinatorMeters} and
 * {@link PoolMeters} are lists of these, so every meter is registered the same way.
 *
 * <p>Registered meters hold the observed object ({@code owner}: the cache, the coordinator, the pools) weakly, as
 * Micrometer's own binders do; they read NaN once it is gone. What they capture strongly holds no reference to it.
 *
 * @param value the counter's count, the gauge's value, or the timer's count
 * @param totalNanos the timer's total time in nanoseconds (null for counters and gauges)
 */
@Immutable
record MeterSpec<V>(String name, Kind kind, Tags tags, String description, @Nullable String baseUnit,
        ToDoubleFunction<V> value, @Nullable ToDoubleFunction<V> totalNanos) {

    enum Kind { COUNTER, GAUGE, TIMER }

    static <V> MeterSpec<V> counter(String name, String description, ToDoubleFunction<V> count, String... tags) {
        return new MeterSpec<>(name, Kind.COUNTER, Tags.of(tags), description, null, count, null);
    }

    static <V> MeterSpec<V> gauge(String name, String description, ToDoubleFunction<V> value, String... tags) {
        return new MeterSpec<>(name, Kind.GAUGE, Tags.of(tags), description, null, value, null);
    }

    static <V> MeterSpec<V> bytes(String name, String description, ToDoubleFunction<V> value) {
        return new MeterSpec<>(name, Kind.GAUGE, Tags.empty(), description, BaseUnits.BYTES, value, null);
    }

    static <V> MeterSpec<V> seconds(String name, String description, ToDoubleFunction<V> value) {
        return new MeterSpec<>(name, Kind.GAUGE, Tags.empty(), description, "seconds", value, null);
    }

    /** A gauge of 1 while {@code condition} holds, else 0. */
    static <V> MeterSpec<V> flag(String name, String description, java.util.function.Predicate<V> condition) {
        return gauge(name, description, v -> condition.test(v) ? 1 : 0);
    }

    static <V> MeterSpec<V> timer(String name, String description, ToDoubleFunction<V> count,
            ToDoubleFunction<V> totalNanos) {
        return new MeterSpec<>(name, Kind.TIMER, Tags.empty(), description, null, count, totalNanos);
    }

    /** Registers each of {@code meters} (see {@link #register}). */
    static <O, V> void registerAll(List<MeterSpec<V>> meters, MeterRegistry registry, Tags common, O owner,
            Function<O, ? extends V> read) {
        for (MeterSpec<V> meter : meters) {
            meter.register(registry, common, owner, read);
        }
    }

    /**
     * Registers this meter with {@code common} tags added to its own, reading {@code read.apply(owner)} each time
     * the registry reads it.
     */
    <O> void register(MeterRegistry registry, Tags common, O owner, Function<O, ? extends V> read) {
        Tags all = common.and(tags);
        switch (kind) {
            case COUNTER -> FunctionCounter.builder(name, owner, o -> value.applyAsDouble(read.apply(o)))
                    .tags(all).description(description).baseUnit(baseUnit).register(registry);
            case GAUGE -> Gauge.builder(name, owner, o -> value.applyAsDouble(read.apply(o)))
                    .tags(all).description(description).baseUnit(baseUnit).register(registry);
            case TIMER -> {
                ToDoubleFunction<V> total = java.util.Objects.requireNonNull(totalNanos, "totalNanos of a timer");
                FunctionTimer.builder(name, owner, o -> (long) value.applyAsDouble(read.apply(o)),
                                o -> total.applyAsDouble(read.apply(o)), TimeUnit.NANOSECONDS)
                        .tags(all).description(description).register(registry);
            }
        }
    }
}

package io.mongocache.micrometer;

import com.mongodb.annotations.Immutable;
import io.micrometer.core.instrument.Tags;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What every part of one {@link MongoCacheMetrics} shares: the tags of all its meters, and how old a statistics
 * snapshot may be before a read takes a new one.
 */
@Immutable
record MeterSettings(Tags common, long snapshotMaxAgeNanos, LongSupplier nanoClock) {

    /** A snapshot source over {@code take}, with this binder's maximum age and clock. */
    <O, S> Snapshots<O, S> snapshots(Function<O, S> take) {
        return new Snapshots<>(take, snapshotMaxAgeNanos, nanoClock);
    }
}

package io.mongocache.micrometer;

import com.mongodb.annotations.ThreadSafe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The latest statistics snapshot of one observed object, taken again only when it is older than {@code maxAge}: a
 * registry reads dozens of meters in one go, and {@code MongoCache.stats()} (like the pools' and the coordinator's)
 * builds a new snapshot, with a map over every tracked namespace, on each call. With {@code maxAge} zero every read
 * takes a fresh one.
 *
 * <p>Concurrency: readers see the latest snapshot through a volatile field; taking one is serialised, so readers
 * that find it stale at once take it once. Listeners ({@link #onRefresh}) run after a new snapshot is published and
 * outside the lock, on the reading thread — they may register meters, which a registry allows at any time. Failure
 * modes: an exception from the snapshot function propagates to the reading meter and the next read tries again.
 *
 * @param <O> the observed object, passed in by each read (meters hold it weakly: this class never holds it)
 * @param <S> the snapshot
 */
@ThreadSafe
final class Snapshots<O, S> {
    private record Taken<S>(S value, long atNanos) {}

    private final Function<O, S> take;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private final List<BiConsumer<O, S>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private volatile @Nullable Taken<S> latest;

    Snapshots(Function<O, S> take, long maxAgeNanos, LongSupplier nanoClock) {
        this.take = take;
        this.maxAgeNanos = maxAgeNanos;
        this.nanoClock = nanoClock;
    }

    /** Calls {@code listener} with each new snapshot, after it is published. */
    void onRefresh(BiConsumer<O, S> listener) {
        listeners.add(listener);
    }

    /** The latest snapshot of {@code owner}, taken now if there is none younger than {@code maxAge}. */
    S read(O owner) {
        Taken<S> current = latest;
        if (current != null && nanoClock.getAsLong() - current.atNanos() < maxAgeNanos) {
            return current.value();
        }
        S fresh;
        synchronized (lock) {
            current = latest;
            long now = nanoClock.getAsLong();
            if (current != null && now - current.atNanos() < maxAgeNanos) {
                return current.value();
            }
            fresh = take.apply(owner);
            latest = new Taken<>(fresh, now);
        }
        for (BiConsumer<O, S> listener : listeners) {
            listener.accept(owner, fresh);
        }
        return fresh;
    }
}

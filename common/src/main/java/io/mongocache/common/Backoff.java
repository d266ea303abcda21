package io.mongocache.common;

import java.util.random.RandomGenerator;

/**
 * Exponential back-off: pauses that double from a first value up to a cap, in whatever unit the caller counts
 * (milliseconds, nanoseconds). Two forms: an instance is a sequence of pauses that one owner steps through and
 * resets after a success; {@link #ceiling} and {@link #fullJitter} compute an attempt's pause without state. Shared
 * plumbing of mongocache's own modules, not user API.
 *
 * <p>Concurrency: an instance is not thread-safe; it belongs to one loop (a watcher's steps, one at a time). The
 * static methods are.
 */
public final class Backoff {
    private final long first;
    private long next;

    /** @throws IllegalArgumentException if {@code first} is not positive */
    public Backoff(long first) {
        if (first <= 0) {
            throw new IllegalArgumentException("first must be > 0 but was " + first);
        }
        this.first = first;
        this.next = first;
    }

    /** The next pause, then doubles the one after, up to {@code cap}. */
    public long next(long cap) {
        return next(0, cap);
    }

    /**
     * The next pause, at least {@code floor} (a failure known to last starts slower), then doubles the one after,
     * up to {@code cap}. The cap bounds the growth, not this pause: one raised by an earlier, larger floor or cap is
     * served once more before the lower cap takes hold.
     */
    public long next(long floor, long cap) {
        long pause = Math.max(next, floor);
        next = Math.min(cap, doubled(pause));
        return pause;
    }

    /** Starts again from the first pause (after a success). */
    public void reset() {
        next = first;
    }

    /**
     * {@code min(max, initial × 2^(attempt − 1))}, without overflow however large {@code attempt} is.
     *
     * @param attempt 1 for the first retry
     * @throws IllegalArgumentException if {@code initial} or {@code max} is negative or {@code attempt} below 1
     */
    public static long ceiling(long initial, long max, int attempt) {
        if (initial < 0 || max < 0 || attempt < 1) {
            throw new IllegalArgumentException("initial (" + initial + ") and max (" + max
                    + ") must be >= 0 and attempt (" + attempt + ") >= 1");
        }
        long value = Math.min(initial, max);
        for (int i = 1; i < attempt && value > 0 && value < max; i++) {
            value = Math.min(max, doubled(value));
        }
        return value;
    }

    /**
     * "Full jitter": a uniformly random pause from 0 to {@link #ceiling} inclusive, so clients that failed together
     * do not retry together.
     */
    public static long fullJitter(long initial, long max, int attempt, RandomGenerator random) {
        long ceiling = ceiling(initial, max, attempt);
        return ceiling == Long.MAX_VALUE ? random.nextLong(Long.MAX_VALUE) : random.nextLong(ceiling + 1);
    }

    private static long doubled(long value) {
        return value > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : value * 2;
    }
}

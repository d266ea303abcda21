package io.mongocache.benchmarks.cluster.demo;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latencies of one run, in microseconds, kept in full per second since the run's start, so the report can
 * chart them over time and take percentiles over any set of seconds (e.g. outside the fault windows).
 *
 * <p>Concurrency: {@link #record} from any thread (a lock per second).
 */
final class Recorder {
    private final long startNanos;
    private final Second[] seconds;
    private final AtomicLong errors = new AtomicLong();

    /** One second's latencies. */
    static final class Second {
        private int[] micros = new int[256];
        private int count;

        synchronized void add(int value) {
            if (count == micros.length) {
                micros = Arrays.copyOf(micros, count * 2);
            }
            micros[count++] = value;
        }

        synchronized int[] snapshot() {
            return Arrays.copyOf(micros, count);
        }
    }

    Recorder(long startNanos, int maxSeconds) {
        this.startNanos = startNanos;
        this.seconds = new Second[maxSeconds];
        for (int i = 0; i < maxSeconds; i++) {
            seconds[i] = new Second();
        }
    }

    long startNanos() {
        return startNanos;
    }

    /** Records a request sent at {@code sentNanos} that took {@code nanos}. */
    void record(long sentNanos, long nanos) {
        int second = (int) ((sentNanos - startNanos) / 1_000_000_000L);
        if (second >= 0 && second < seconds.length) {
            seconds[second].add((int) Math.min(Integer.MAX_VALUE, nanos / 1_000));
        }
    }

    void error() {
        errors.incrementAndGet();
    }

    long errors() {
        return errors.get();
    }

    /** The latencies of seconds {@code from} (inclusive) to {@code to} (exclusive), sorted. */
    int[] sorted(int from, int to, java.util.function.IntPredicate include) {
        java.util.List<int[]> parts = new java.util.ArrayList<>();
        int total = 0;
        for (int s = Math.max(0, from); s < Math.min(to, seconds.length); s++) {
            if (include.test(s)) {
                int[] part = seconds[s].snapshot();
                parts.add(part);
                total += part.length;
            }
        }
        int[] all = new int[total];
        int offset = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** The {@code p}-th percentile (0..100) of sorted microseconds, in milliseconds; NaN when empty. */
    static double percentileMillis(int[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[index] / 1000.0;
    }
}

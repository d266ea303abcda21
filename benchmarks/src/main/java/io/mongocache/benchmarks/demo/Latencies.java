package io.mongocache.benchmarks.demo;

import java.util.Arrays;

/** Per-operation latencies of one kind in one run, kept in full (runs are at most ~100k operations). */
final class Latencies {
    private long[] nanos = new long[1024];
    private int count;
    private long total;

    void add(long value) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = value;
        total += value;
    }

    int count() {
        return count;
    }

    /** The {@code p}-th percentile (0..100) in microseconds, or NaN when empty. */
    double percentileMicros(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, index))] / 1_000.0;
    }

    double meanMicros() {
        return count == 0 ? Double.NaN : total / 1_000.0 / count;
    }
}

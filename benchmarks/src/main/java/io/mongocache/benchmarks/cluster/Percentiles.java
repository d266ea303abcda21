package io.mongocache.benchmarks.cluster;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in nanoseconds, reported as percentiles in microseconds. */
public final class Percentiles {
    private long[] samples = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    public int size() {
        return size;
    }

    /** The p-th percentile (0..100) in microseconds. */
    public double micros(double p) {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int index = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
        return sorted[index] / 1000.0;
    }

    public String summary() {
        return String.format(Locale.ROOT, "p50 %8.1f µs  p90 %8.1f µs  p99 %8.1f µs  max %8.1f µs  (n=%d)",
                micros(50), micros(90), micros(99), micros(100), size);
    }
}

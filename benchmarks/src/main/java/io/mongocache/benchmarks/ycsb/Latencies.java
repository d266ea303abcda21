package io.mongocache.benchmarks.ycsb;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every operation's latency, per kind, recorded by each thread without sharing; merged for percentiles. */
final class Latencies {
    enum Kind { READ, UPDATE, INSERT }

    private static final class Samples {
        long[] values = new long[1 << 16];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    private final List<EnumMap<Kind, Samples>> all = new CopyOnWriteArrayList<>();
    private final ThreadLocal<EnumMap<Kind, Samples>> mine = ThreadLocal.withInitial(() -> {
        EnumMap<Kind, Samples> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            m.put(k, new Samples());
        }
        all.add(m);
        return m;
    });
    private volatile boolean recording;

    void recording(boolean on) {
        recording = on;
    }

    void record(Kind kind, long nanos) {
        if (recording) {
            mine.get().get(kind).add(nanos);
        }
    }

    /** Summary of one kind: count, mean, p50, p99 (µs). */
    record Summary(long count, double meanMicros, double p50Micros, double p99Micros) {
        static final Summary NONE = new Summary(0, Double.NaN, Double.NaN, Double.NaN);
    }

    Map<Kind, Summary> summaries() {
        Map<Kind, Summary> out = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            int n = 0;
            for (EnumMap<Kind, Samples> m : all) {
                n += m.get(k).size;
            }
            if (n == 0) {
                out.put(k, Summary.NONE);
                continue;
            }
            long[] merged = new long[n];
            int at = 0;
            double sum = 0;
            for (EnumMap<Kind, Samples> m : all) {
                Samples s = m.get(k);
                System.arraycopy(s.values, 0, merged, at, s.size);
                at += s.size;
            }
            for (long v : merged) {
                sum += v;
            }
            Arrays.sort(merged);
            out.put(k, new Summary(n, sum / n / 1e3, merged[(int) (n * 0.50)] / 1e3,
                    merged[Math.min(n - 1, (int) (n * 0.99))] / 1e3));
        }
        return out;
    }
}

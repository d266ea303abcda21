package io.mongocache.benchmarks;

/**
 * How many operations each code path runs in a benchmark's trial setup before JMH's own warm-up iterations.
 *
 * <p>Why: these benchmarks run a lot of code per operation — the driver, Lettuce and Netty on the client side
 * and the in-process MongoDB server on the other — and on a small machine the JIT needs tens of thousands of
 * operations to settle, far more than a few one-second warm-up iterations of a 100–400 µs operation give it.
 * Every fork warms the baseline's path and ours alike, whichever variant it measures, so both are measured with
 * the same compiled code underneath. Set {@code -Dmongocache.bench.warmupOps=N} to change it (the smoke test
 * uses a few hundred).
 */
public final class JitWarmup {

    public static final String PROPERTY = "mongocache.bench.warmupOps";

    private JitWarmup() {}

    /** Operations per path, default 15,000. */
    public static int ops() {
        return Integer.getInteger(PROPERTY, 15_000);
    }
}

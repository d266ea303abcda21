package io.mongocache.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** {@link L1HitBenchmark} with four threads reading at once (contention on counters, the tiers and the peer). */
@Threads(4)
public class L1HitFourThreadsBenchmark extends L1HitBenchmark {
}

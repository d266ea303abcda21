package io.mongocache.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.benchmarks.cluster.FailoverHarness;
import io.mongocache.benchmarks.cluster.MassExpiryHarness;
import io.mongocache.benchmarks.cluster.PrecisionScaleHarness;
import io.mongocache.benchmarks.ycsb.YcsbHarness;
import io.mongocache.benchmarks.cluster.ManyCollectionsHarness;
import io.mongocache.benchmarks.cluster.MissRedisCostHarness;
import io.mongocache.benchmarks.cluster.OutsideWriteLatencyHarness;
import io.mongocache.benchmarks.cluster.PropagationHarness;
import io.mongocache.benchmarks.cluster.YcsbPrecisionHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs each invalidation harness once with tiny settings: they must work, not measure. */
class ClusterHarnessesSmokeTest {

    @Test
    void shouldMeasurePropagation() throws Exception {
        PropagationHarness.Result result = PropagationHarness.run(50, 10);
        assertEquals(50, result.propagation().size());
        assertEquals(50, result.pubSub().size());
    }

    @Test
    void shouldRunTheYcsbWorkloadsInEveryMode() throws Exception {
        List<YcsbPrecisionHarness.Run> runs = YcsbPrecisionHarness.run(500, Duration.ofMillis(600), 2);
        assertEquals(6, runs.size());
        for (YcsbPrecisionHarness.Run run : runs) {
            assertTrue(run.opsPerSecond() > 0, run.toString());
        }
    }

    @Test
    void shouldMeasureOutsideWriteLatency() throws Exception {
        List<OutsideWriteLatencyHarness.Result> results = OutsideWriteLatencyHarness.run(30, new long[] {0});
        assertEquals(1, results.size());
        assertEquals(30, results.get(0).outside().size());
        assertEquals(30, results.get(0).throughCache().size());
    }

    @Test
    void shouldMeasureWhatAMissCostsRedis() throws Exception {
        MissRedisCostHarness.Result result = MissRedisCostHarness.run(50);
        assertTrue(result.redisMicrosPerMiss() > 0, result.toString());
        assertTrue(result.readsPerMiss() > 0, result.toString());
        assertTrue(result.commands().stream().anyMatch(c -> c.startsWith("get")), result.toString());
    }

    @Test
    void shouldMeasureManyCollections() throws Exception {
        ManyCollectionsHarness.Result result = ManyCollectionsHarness.run(20, Duration.ofMillis(500), 5);
        assertEquals(20, result.collections());
        assertEquals(5, result.outsideWrite().size());
        assertTrue(result.threads() >= 1, result.toString());
    }

    @Test
    void shouldMeasureAFailoverWithNodeProcesses() throws Exception {
        List<long[]> rounds = FailoverHarness.run("1500,1000,250", 1);
        assertEquals(1, rounds.size());
        assertTrue(rounds.get(0)[0] > 0 && rounds.get(0)[1] >= rounds.get(0)[0] - 50, "elected, then serving: "
                + rounds.get(0)[0] + ", " + rounds.get(0)[1]);
    }

    @Test
    void shouldRunEveryYcsbWorkloadAgainstEveryVariantOnBothNetworks() throws Exception {
        List<YcsbHarness.Run> runs = YcsbHarness.run(300, Duration.ofMillis(200), Duration.ofMillis(400), List.of(2),
                List.of("A", "B", "C", "D", "F"), List.of(io.mongocache.benchmarks.ycsb.YcsbHarness.variants()),
                List.of("loopback", "250us"));
        assertEquals(5 * 4 * 2, runs.size());
        for (YcsbHarness.Run run : runs) {
            assertTrue(run.opsPerSecond() > 0, run.toString());
        }
        String report = YcsbHarness.report(runs);
        assertTrue(report.contains("CACHE_ASYNC") && report.contains("throughput / peer"), report);
    }

    @Test
    void shouldMissExactlyOncePerWrittenDocument() throws Exception {
        PrecisionScaleHarness.Result result = PrecisionScaleHarness.run(3_000, 25);
        assertEquals(result.writes(), result.missesAfterWrites(), result.toString());
    }

    @Test
    void shouldMeasureAMassExpiryInEveryConfiguration() throws Exception {
        List<MassExpiryHarness.Result> results = MassExpiryHarness.run(300, Duration.ofMillis(500),
                Duration.ofMillis(1500), 2, 2000);
        assertEquals(4, results.size());
        assertTrue(results.get(0).peakLoadsPer100ms() > 0, "entries expired and were loaded again: " + results);
    }
}

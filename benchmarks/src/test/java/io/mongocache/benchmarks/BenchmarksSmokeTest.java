package io.mongocache.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.util.Arrays;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, in this JVM, with minimal settings (no warm-up, one 100 ms measurement iteration,
 * a small data set): proves that each variant sets up, passes its own sanity checks (equal results, all hits,
 * all misses...), measures something and tears down — not how fast it is. Benchmarks that need Redis are
 * skipped, with a message, where no {@code redis-server} can be found.
 */
class BenchmarksSmokeTest {

    static {
        // Forks 0: the benchmarks run in this JVM and read this property; a few hundred operations suffice here.
        System.setProperty(JitWarmup.PROPERTY, "300");
    }

    private static void assumeRedisServer() {
        String executable = System.getProperty("mongocache.redis-server", "redis-server");
        boolean found;
        if (executable.contains(File.separator)) {
            found = new File(executable).canExecute();
        } else {
            String path = System.getenv().getOrDefault("PATH", "");
            found = Arrays.stream(path.split(File.pathSeparator))
                    .anyMatch(dir -> !dir.isEmpty() && new File(dir, executable).canExecute());
        }
        assumeTrue(found, "no " + executable + " on the PATH: this benchmark needs a private Redis");
    }

    private static Collection<RunResult> runOnce(Class<?> benchmark, String docs) throws RunnerException {
        return runOnce(benchmark, docs, new OptionsBuilder());
    }

    /** {@code params}: further parameters (for example a subset of {@code impl} or another {@code network}). */
    private static Collection<RunResult> runOnce(Class<?> benchmark, String docs, OptionsBuilder params)
            throws RunnerException {
        Options options = params
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .forks(0)
                .threads(1)
                .param("docs", docs)
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        return new Runner(options).run();
    }

    private static void assertMeasured(Collection<RunResult> results, String... variants) {
        Set<String> seen = new TreeSet<>();
        for (RunResult result : results) {
            Result<?> primary = result.getPrimaryResult();
            assertTrue(primary.getSampleCount() > 0, "no samples for " + result.getParams().id());
            assertTrue(primary.getScore() > 0 && Double.isFinite(primary.getScore()),
                    "score of " + result.getParams().id() + " is " + primary.getScore());
            seen.add(result.getParams().getParam("impl"));
        }
        assertEquals(new TreeSet<>(Set.of(variants)), seen);
    }

    @Test
    void l1Hit() throws RunnerException {
        assumeRedisServer();
        assertMeasured(runOnce(L1HitBenchmark.class, "200"), "CAFFEINE_FLOOR", "REDISSON_PEER", "MONGOCACHE",
                "MONGOCACHE_RAW");
    }

    @Test
    void l2Hit() throws RunnerException {
        assumeRedisServer();
        assertMeasured(runOnce(L2HitBenchmark.class, "200"), "LETTUCE_GET", "MONGOCACHE");
    }

    @Test
    void miss() throws RunnerException {
        assumeRedisServer();
        // 500 keys: a 100 ms iteration laps them, so the lap-end invalidation is exercised too.
        assertMeasured(runOnce(MissBenchmark.class, "500"), "RAW_DRIVER", "RAW_DRIVER_PLUS_REDIS_GET", "MONGOCACHE_L1",
                "MONGOCACHE_L1_L2");
    }

    @Test
    void missOverTheSimulatedNetwork() throws RunnerException {
        assumeRedisServer();
        // MongoDB and Redis each behind a 250 µs latency proxy: both sides of the miss ratio set up and measure there.
        OptionsBuilder params = new OptionsBuilder();
        params.param("network", Network.NET_250US.name()).param("impl", "RAW_DRIVER_PLUS_REDIS_GET", "MONGOCACHE_L1_L2");
        Collection<RunResult> results = runOnce(MissBenchmark.class, "200", params);
        assertMeasured(results, "RAW_DRIVER_PLUS_REDIS_GET", "MONGOCACHE_L1_L2");
        for (RunResult result : results) {
            assertEquals(Network.NET_250US.name(), result.getParams().getParam("network"));
        }
    }

    @Test
    void write() throws RunnerException {
        assumeRedisServer();
        assertMeasured(runOnce(WriteBenchmark.class, "200"), "RAW_DRIVER", "RAW_DRIVER_PLUS_REDIS_SET", "REDISSON_PEER",
                "MONGOCACHE", "MONGOCACHE_ASYNC");
    }

    @Test
    void ratioTableRendersEveryVariant() throws RunnerException {
        assumeRedisServer();
        String table = RunBenchmarks.render(runOnce(L1HitBenchmark.class, "100"));
        assertTrue(table.contains("MONGOCACHE / CAFFEINE_FLOOR"), table);
        assertTrue(table.contains("MONGOCACHE / REDISSON_PEER"), table);
    }
}

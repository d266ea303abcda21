package io.mongocache.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the benchmark suite with short settings and prints, per benchmark, every variant's score and the ratio
 * of ours to each baseline — the numbers for the README.
 *
 * <p>Accepts JMH's usual command line ({@code -wi 3 -w 1s -i 5 -r 1s -f 1 ...}, a benchmark regex, {@code -p
 * docs=...}). What it does not set comes from the benchmarks' annotations: 5 × 1 s warm-up (after the
 * {@link JitWarmup} operations in each trial's setup), 5 × 1 s measurement, 2 forks (differences between forks
 * are larger than the error within one fork on a small machine); all benchmarks of this package. Writes
 * the JMH JSON ({@code -rff}, default {@code jmh-result.json}) and the tables as Markdown next to it
 * ({@code .md}).
 *
 * <p>Variants named {@code MONGOCACHE*} are ours; every other variant is a baseline. A ratio is ours' score over
 * the baseline's (time per operation: below 1 is faster than the baseline); its error combines both relative
 * errors (99.9% confidence intervals, as JMH reports them).
 */
public final class RunBenchmarks {

    private RunBenchmarks() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing the command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp()) {
            cmd.showHelp();
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        if (cmd.getIncludes().isEmpty()) {
            options.include("io\\.mongocache\\.benchmarks\\.[A-Za-z0-9]+Benchmark\\.");
        }
        String resultFile = cmd.getResult().orElse("jmh-result.json");
        if (!cmd.getResult().hasValue()) {
            options.result(resultFile);
        }
        if (!cmd.getResultFormat().hasValue()) {
            options.resultFormat(ResultFormatType.JSON);
        }

        Collection<RunResult> results = new Runner(options.build()).run();
        String table = render(results);
        System.out.println();
        System.out.println(table);
        Path markdown = Path.of(resultFile.replaceFirst("\\.[A-Za-z]+$", "") + ".md");
        try {
            Files.writeString(markdown, table, StandardCharsets.UTF_8);
            System.out.println("(tables written to " + markdown.toAbsolutePath() + ", raw JMH results to "
                    + Path.of(resultFile).toAbsolutePath() + ")");
        } catch (IOException e) {
            System.err.println("could not write " + markdown + ": " + e);
        }
    }

    /** One variant's result. */
    private record Row(String group, String impl, String mode, String unit, double score, double error,
            double p50, double p99) {

        boolean ours() {
            return impl.startsWith("MONGOCACHE");
        }
    }

    /** The score table and the ratio table, in Markdown. */
    static String render(Collection<RunResult> results) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (RunResult result : results) {
            Row row = row(result);
            groups.computeIfAbsent(row.group(), g -> new ArrayList<>()).add(row);
        }
        StringBuilder out = new StringBuilder();
        out.append("mongocache benchmarks — ").append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append(", JDK ").append(Runtime.version()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(System.getProperty("mongocache.bench.note") == null ? ""
                        : ", " + System.getProperty("mongocache.bench.note"))
                .append("\nMongoDB = in-process mongo-java-server, Redis = private redis-server, both on loopback.\n\n");

        out.append("| Benchmark | Variant | Mode | Score ± error | Unit | p50 | p99 |\n");
        out.append("|---|---|---|---:|---|---:|---:|\n");
        for (List<Row> rows : groups.values()) {
            for (Row r : rows) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s ± %s | %s | %s | %s |%n", r.group(), r.impl(),
                        r.mode(), number(r.score()), number(r.error()), r.unit(), number(r.p50()), number(r.p99())));
            }
        }

        out.append("\n| Benchmark | Ratio (ours / baseline) | Mean ratio ± error | p50 ratio |\n");
        out.append("|---|---|---:|---:|\n");
        for (List<Row> rows : groups.values()) {
            for (Row ours : rows) {
                if (!ours.ours()) {
                    continue;
                }
                for (Row base : rows) {
                    if (base.ours()) {
                        continue;
                    }
                    double ratio = ours.score() / base.score();
                    double relative = Math.sqrt(square(ours.error() / ours.score()) + square(base.error() / base.score()));
                    out.append(String.format(Locale.ROOT, "| %s | %s / %s | %s ± %s | %s |%n", ours.group(), ours.impl(),
                            base.impl(), ratio(ratio), ratio(ratio * relative), ratio(ours.p50() / base.p50())));
                }
            }
        }
        out.append("\nRatios are time per operation: 1.00 = as fast as the baseline, below 1 = faster. "
                + "Errors are JMH's 99.9% intervals (NaN with a single iteration). "
                + "p50/p99 come from SampleTime runs (avgt: percentiles of the iteration means).\n");
        return out.toString();
    }

    private static Row row(RunResult result) {
        BenchmarkParams params = result.getParams();
        String benchmark = params.getBenchmark();
        String[] parts = benchmark.split("\\.");
        StringBuilder group = new StringBuilder(parts[parts.length - 2]);
        List<String> others = new ArrayList<>();
        for (String key : params.getParamsKeys()) {
            if (!key.equals("impl")) {
                others.add(key + "=" + params.getParam(key));
            }
        }
        if (!others.isEmpty()) {
            group.append(" (").append(String.join(", ", others)).append(')');
        }
        String impl = params.getParam("impl") == null ? "-" : params.getParam("impl");
        Result<?> primary = result.getPrimaryResult();
        Statistics statistics = primary.getStatistics();
        return new Row(group.toString(), impl, params.getMode().shortLabel(), primary.getScoreUnit(),
                primary.getScore(), primary.getScoreError(), statistics.getPercentile(50), statistics.getPercentile(99));
    }

    private static double square(double x) {
        return x * x;
    }

    private static String number(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return "NaN";
        }
        if (Math.abs(x) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        if (Math.abs(x) >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        return String.format(Locale.ROOT, "%.3f", x);
    }

    private static String ratio(double x) {
        return Double.isNaN(x) || Double.isInfinite(x) ? "NaN" : String.format(Locale.ROOT, "%.2f", x);
    }
}

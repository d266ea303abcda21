package io.mongocache.benchmarks.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders a report of canned numbers in headless Chromium: the charts are in the rendered DOM (the page's own
 * script counts them into {@code body[data-charts]} once loaded, and records script errors in
 * {@code html[data-errors]}), no console error is logged, and a screenshot is kept in
 * {@code target/cluster-report-browser/report.png}. CI installs Chromium ({@code .ci/run}); without it this test
 * fails and says so.
 */
class ClusterReportBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DIRECTORY = Path.of("target", "cluster-report-browser").toAbsolutePath();

    private static Path page;

    @BeforeAll
    static void writeReport() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail("headless Chromium is needed at " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        }
        Files.createDirectories(DIRECTORY);
        page = DIRECTORY.resolve("report.html");
        Files.writeString(page, CannedReports.report(0).html(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRenderEveryChartWithoutScriptErrors() throws Exception {
        Run run = chromium("--dump-dom", page.toUri().toString());
        Matcher charts = Pattern.compile("<body[^>]*data-charts=\"(\\d+)\"").matcher(run.stdout());
        assertTrue(charts.find(), "the page's script did not run: " + run.stdout().lines().limit(5).toList());
        assertEquals("4", charts.group(1));
        assertEquals(4, Pattern.compile("<svg class=\"chart\"").matcher(run.stdout()).results().count());
        assertTrue(run.stdout().contains("<path class=\"series\""));
        Matcher root = Pattern.compile("<html[^>]*>").matcher(run.stdout());
        assertTrue(root.find());
        assertFalse(root.group().contains("data-errors"), "script errors: " + root.group());
        assertFalse(consoleErrors(run.stderr()), "console errors: " + run.stderr());
    }

    @Test
    void shouldKeepAScreenshotOfTheReport() throws Exception {
        Path screenshot = DIRECTORY.resolve("report.png");
        Files.deleteIfExists(screenshot);
        Run run = chromium("--screenshot=" + screenshot, "--window-size=1100,2200", page.toUri().toString());
        assertTrue(Files.size(screenshot) > 10_000, "no screenshot: " + run.stderr());
        assertFalse(consoleErrors(run.stderr()), "console errors: " + run.stderr());
    }

    /** Chromium's log lines for the page's console at error level, e.g. {@code ...:ERROR:CONSOLE(12)] "..."}. */
    private static boolean consoleErrors(String log) {
        return log.lines().anyMatch(line -> line.contains("CONSOLE") && line.contains("ERROR"));
    }

    private record Run(String stdout, String stderr) {}

    private static Run chromium(String... arguments) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        Path out = DIRECTORY.resolve("chromium.out");
        Path err = DIRECTORY.resolve("chromium.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                fail("chromium did not finish within 90 s: " + command);
            }
        } finally {
            process.destroyForcibly();
        }
        return new Run(Files.readString(out), Files.readString(err));
    }
}

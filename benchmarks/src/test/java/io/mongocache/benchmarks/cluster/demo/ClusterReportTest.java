package io.mongocache.benchmarks.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClusterReportTest {
    @Test
    void shouldStartBothReportsWithTheStaleCount() {
        ClusterReport report = CannedReports.report(2);
        assertEquals("stale responses beyond bound: 2", report.text().lines().findFirst().orElseThrow());
        assertTrue(report.html().contains("id=\"verdict\">stale responses beyond bound: 2<"));
    }

    @Test
    void shouldDrawFourChartsWithEveryFaultOnEachTimeAxis() {
        String html = CannedReports.report(0).html();
        assertEquals(4, count(html, "<svg class=\"chart\""));
        assertEquals(3 * 4, count(html, "<g class=\"fault\">"));
        assertEquals(9, count(html, "<rect class=\"bar\""));
    }

    @Test
    void shouldLoadNothingFromElsewhereAndEscapeText() {
        String html = CannedReports.report(0).html();
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find());
        assertTrue(html.contains("canned &lt;none&gt;"));
    }

    @Test
    void shouldComputeTheClusterHitRatioOverAllNodes() {
        ClusterReport report = CannedReports.report(0);
        assertEquals((9_500.0 + 20_700 + 18_650) / (9_500 + 20_700 + 18_650 + 1_500 + 2_300 + 2_150),
                report.hitRatio(), 1e-9);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}

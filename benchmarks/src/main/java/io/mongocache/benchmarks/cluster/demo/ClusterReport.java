package io.mongocache.benchmarks.cluster.demo;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The cluster demo's report: what ran, what was checked, what happened, and the measurements — as text (its first
 * line {@code stale responses beyond bound: N}) and as one self-contained HTML page with inline SVG charts (no
 * scripts or styles from elsewhere), throughput, latency and hit ratio over time with the faults marked on the time
 * axis, and per-node bars.
 *
 * @param setup one line each: MongoDB, Redis, balancer, nodes, workload, bounds
 * @param staleBeyondBound responses older than a write acknowledged more than its bound before the request
 * @param checkedResponses versions checked (reads by id, every product of a list, lag-probe reads)
 * @param wrongCounts counts that differed from the seeded size of their category
 * @param staleExamples the first few stale responses, described
 * @param samples the cached run, one per second
 * @param events the fault timeline as it happened
 * @param nodes per node counters of the cached run
 * @param latencies latency through the balancer, per run
 * @param lags invalidation lag: acknowledged write to every node serving it
 * @param leaderChanges leaders seen to change in the cached run
 * @param commands MongoDB commands per request, per run
 * @param notes what the numbers mean and what was left out
 */
record ClusterReport(List<String> setup, long staleBeyondBound, long checkedResponses, long wrongCounts,
        List<String> staleExamples, List<Sample> samples, List<FaultEvent> events, List<NodeRow> nodes,
        List<LatencyRow> latencies, List<LagRow> lags, List<LeaderChange> leaderChanges, List<CommandRow> commands,
        List<String> notes) {

    /** One second of the cached run; NaN where nothing was measured. */
    record Sample(double seconds, double requestsPerSecond, double p50Millis, double p99Millis, double hitRatio,
            String leader) {}

    /** A fault or recovery as it happened: seconds since the load started. */
    record FaultEvent(double seconds, String kind, String description) {}

    record NodeRow(String node, long l1Hits, long l2Hits, long l1Misses, long loads, int restarts) {
        double hitRatio() {
            long hits = l1Hits + l2Hits;
            return hits + loads == 0 ? Double.NaN : (double) hits / (hits + loads);
        }
    }

    record LatencyRow(String run, long requests, long errors, double requestsPerSecond, double p50Millis,
            double p90Millis, double p99Millis, double maxMillis) {}

    record LagRow(String what, int samples, double p50Millis, double p99Millis, double maxMillis) {}

    record LeaderChange(double seconds, String from, String to, double gapSeconds) {}

    record CommandRow(String run, long requests, long commands) {
        double perRequest() {
            return requests == 0 ? Double.NaN : (double) commands / requests;
        }
    }

    /** The first line of both reports. */
    String verdict() {
        return "stale responses beyond bound: " + staleBeyondBound;
    }

    /** Hits over cached reads of the whole cached run, summed over the nodes. */
    double hitRatio() {
        long hits = 0;
        long reads = 0;
        for (NodeRow node : nodes) {
            hits += node.l1Hits() + node.l2Hits();
            reads += node.l1Hits() + node.l2Hits() + node.loads();
        }
        return reads == 0 ? 0 : (double) hits / reads;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(verdict()).append('\n');
        line(out, "checked responses: %,d; wrong counts: %,d", checkedResponses, wrongCounts);
        staleExamples.forEach(example -> out.append("  stale: ").append(example).append('\n'));
        out.append('\n');
        setup.forEach(s -> out.append(s).append('\n'));
        out.append("\nFault timeline (seconds since the load started):\n");
        for (FaultEvent event : events) {
            line(out, "  %6.1f s  %-14s %s", event.seconds(), event.kind(), event.description());
        }
        out.append("\nLeader changes:\n");
        if (leaderChanges.isEmpty()) {
            out.append("  none seen\n");
        }
        for (LeaderChange change : leaderChanges) {
            line(out, "  %6.1f s  %s -> %s (no leader seen for %.1f s)", change.seconds(), change.from(), change.to(),
                    change.gapSeconds());
        }
        out.append("\nLatency through the balancer (ms):\n");
        line(out, "  %-44s %9s %7s %8s %7s %7s %7s %8s", "run", "requests", "errors", "req/s", "p50", "p90", "p99",
                "max");
        for (LatencyRow row : latencies) {
            line(out, "  %-44s %,9d %7d %8.0f %7.2f %7.2f %7.2f %8.1f", row.run(), row.requests(), row.errors(),
                    row.requestsPerSecond(), row.p50Millis(), row.p90Millis(), row.p99Millis(), row.maxMillis());
        }
        out.append("\nInvalidation lag, write acknowledged -> every answering node serves it (ms):\n");
        for (LagRow lag : lags) {
            line(out, "  %-44s n=%-5d p50 %7.1f  p99 %7.1f  max %7.1f", lag.what(), lag.samples(), lag.p50Millis(),
                    lag.p99Millis(), lag.maxMillis());
        }
        out.append("\nPer node (cached run, all incarnations):\n");
        line(out, "  %-6s %10s %10s %10s %10s %7s %9s", "node", "L1 hits", "L2 hits", "L1 misses", "loads", "hit %",
                "restarts");
        for (NodeRow node : nodes) {
            line(out, "  %-6s %,10d %,10d %,10d %,10d %6.1f%% %9d", node.node(), node.l1Hits(), node.l2Hits(),
                    node.l1Misses(), node.loads(), 100 * node.hitRatio(), node.restarts());
        }
        line(out, "  cluster hit ratio %.1f%%", 100 * hitRatio());
        if (!commands.isEmpty()) {
            out.append("\nMongoDB commands per request (workload databases):\n");
            for (CommandRow row : commands) {
                line(out, "  %-44s %,d commands / %,d requests = %.3f", row.run(), row.commands(), row.requests(),
                        row.perRequest());
            }
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n");
            notes.forEach(note -> out.append("  - ").append(note).append('\n'));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    // ---------------------------------------------------------------- HTML

    private static final String[] EVENT_COLOURS = {"#c0392b", "#8e44ad", "#d35400", "#16a085", "#2c3e50"};

    String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>mongocache cluster demo</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
                .append(".verdict{font-size:1.3em;font-weight:bold;padding:8px;border-radius:4px}")
                .append(".ok{background:#e3f6e3}.bad{background:#fbe0e0}svg{display:block;margin:4px 0 16px}")
                .append("</style>\n")
                // Records script errors in the DOM, and that the charts are there, for the headless-browser test.
                .append("<script>window.addEventListener('error',function(e){var r=document.documentElement;")
                .append("r.setAttribute('data-errors',(r.getAttribute('data-errors')||'')+e.message+';');});")
                .append("document.addEventListener('DOMContentLoaded',function(){document.body.setAttribute(")
                .append("'data-charts',String(document.querySelectorAll('svg.chart').length));});</script>\n")
                .append("</head><body>\n<h1>mongocache cluster demo</h1>\n");
        h.append("<p class=\"verdict ").append(staleBeyondBound == 0 && wrongCounts == 0 ? "ok" : "bad")
                .append("\" id=\"verdict\">").append(escape(verdict())).append("</p>\n");
        h.append("<p>").append(String.format(Locale.ROOT, "%,d responses checked; %,d wrong counts.",
                checkedResponses, wrongCounts)).append("</p>\n");
        if (!staleExamples.isEmpty()) {
            h.append("<ul>");
            staleExamples.forEach(e -> h.append("<li>").append(escape(e)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("<h2>Set-up</h2>\n<ul>");
        setup.forEach(s -> h.append("<li>").append(escape(s.strip())).append("</li>"));
        h.append("</ul>\n<h2>Over time (cached run)</h2>\n");
        h.append(lineChart("throughput", "requests per second", List.of(new Series("req/s", "#2471a3",
                Sample::requestsPerSecond)), 1));
        h.append(lineChart("latency", "latency through the balancer (ms)", List.of(
                new Series("p50", "#2471a3", Sample::p50Millis), new Series("p99", "#e67e22", Sample::p99Millis)), 1));
        h.append(lineChart("hit-ratio", "hit ratio (%, all nodes)", List.of(new Series("hit ratio", "#27ae60",
                s -> 100 * s.hitRatio())), 100));
        h.append("<h2>Fault timeline</h2>\n<table><tr><th>#</th><th>s</th><th class=\"l\">event</th>")
                .append("<th class=\"l\">what happened</th></tr>\n");
        for (int i = 0; i < events.size(); i++) {
            FaultEvent e = events.get(i);
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.1f</td><td class=\"l\">%s</td>"
                    + "<td class=\"l\">%s</td></tr>\n", i + 1, e.seconds(), escape(e.kind()), escape(e.description())));
        }
        h.append("</table>\n<h2>Leader changes</h2>\n<table><tr><th>s</th><th class=\"l\">from</th>")
                .append("<th class=\"l\">to</th><th>no leader seen (s)</th></tr>\n");
        for (LeaderChange c : leaderChanges) {
            h.append(String.format(Locale.ROOT, "<tr><td>%.1f</td><td class=\"l\">%s</td><td class=\"l\">%s</td>"
                    + "<td>%.1f</td></tr>\n", c.seconds(), escape(c.from()), escape(c.to()), c.gapSeconds()));
        }
        h.append("</table>\n<h2>Latency through the balancer (ms)</h2>\n<table><tr><th class=\"l\">run</th>")
                .append("<th>requests</th><th>errors</th><th>req/s</th><th>p50</th><th>p90</th><th>p99</th>")
                .append("<th>max</th></tr>\n");
        for (LatencyRow r : latencies) {
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%,d</td><td>%d</td><td>%.0f</td>"
                    + "<td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.1f</td></tr>\n", escape(r.run()), r.requests(),
                    r.errors(), r.requestsPerSecond(), r.p50Millis(), r.p90Millis(), r.p99Millis(), r.maxMillis()));
        }
        h.append("</table>\n<h2>Invalidation lag (ms)</h2>\n<table><tr><th class=\"l\">write</th><th>samples</th>")
                .append("<th>p50</th><th>p99</th><th>max</th></tr>\n");
        for (LagRow r : lags) {
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d</td><td>%.1f</td><td>%.1f</td>"
                    + "<td>%.1f</td></tr>\n", escape(r.what()), r.samples(), r.p50Millis(), r.p99Millis(),
                    r.maxMillis()));
        }
        h.append("</table>\n<h2>Per node</h2>\n").append(nodeBars());
        h.append("<table><tr><th class=\"l\">node</th><th>L1 hits</th><th>L2 hits</th><th>L1 misses</th>")
                .append("<th>loads</th><th>hit %</th><th>restarts</th></tr>\n");
        for (NodeRow n : nodes) {
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%,d</td><td>%,d</td><td>%,d</td>"
                    + "<td>%,d</td><td>%.1f</td><td>%d</td></tr>\n", escape(n.node()), n.l1Hits(), n.l2Hits(),
                    n.l1Misses(), n.loads(), 100 * n.hitRatio(), n.restarts()));
        }
        h.append("</table>\n");
        if (!commands.isEmpty()) {
            h.append("<h2>MongoDB commands per request</h2>\n<table><tr><th class=\"l\">run</th><th>commands</th>")
                    .append("<th>requests</th><th>per request</th></tr>\n");
            for (CommandRow r : commands) {
                h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%,d</td><td>%,d</td>"
                        + "<td>%.3f</td></tr>\n", escape(r.run()), r.commands(), r.requests(), r.perRequest()));
            }
            h.append("</table>\n");
        }
        if (!notes.isEmpty()) {
            h.append("<h2>Notes</h2>\n<ul>");
            notes.forEach(n -> h.append("<li>").append(escape(n)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private record Series(String name, String colour, ToDoubleFunction<Sample> value) {}

    private static final int WIDTH = 960;
    private static final int HEIGHT = 240;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 36;

    /** A line chart over the samples' seconds, fault events as numbered dashed lines. */
    private String lineChart(String id, String title, List<Series> series, double minimumTop) {
        double maxX = 1;
        double maxY = minimumTop;
        for (Sample s : samples) {
            maxX = Math.max(maxX, s.seconds());
            for (Series line : series) {
                double v = line.value().applyAsDouble(s);
                if (Double.isFinite(v)) {
                    maxY = Math.max(maxY, v);
                }
            }
        }
        for (FaultEvent e : events) {
            maxX = Math.max(maxX, e.seconds());
        }
        double top = niceCeiling(maxY);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double xScale = plotWidth / maxX;
        double yScale = plotHeight / top;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"chart\" id=\"chart-%s\" xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", id, WIDTH, HEIGHT,
                WIDTH, HEIGHT, escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                LEFT, escape(title)));
        for (int i = 0; i <= 4; i++) {
            double value = top * i / 4;
            double y = TOP + plotHeight - value * yScale;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", LEFT, WIDTH - RIGHT,
                    y, y, LEFT - 6, y + 4, number(value)));
        }
        double step = niceCeiling(maxX / 10);
        for (double x = 0; x <= maxX + 1e-9; x += step) {
            double px = LEFT + x * xScale;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">"
                    + "%s s</text>\n", px, HEIGHT - BOTTOM + 16, number(x)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\""
                + " stroke=\"#999\"/>\n", LEFT, TOP, plotWidth, plotHeight));
        for (int i = 0; i < events.size(); i++) {
            FaultEvent e = events.get(i);
            double px = LEFT + e.seconds() * xScale;
            String colour = EVENT_COLOURS[i % EVENT_COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<g class=\"fault\"><title>%s</title><line x1=\"%.1f\" x2=\"%.1f\""
                    + " y1=\"%d\" y2=\"%.0f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\""
                    + " font-size=\"10\" fill=\"%s\" text-anchor=\"middle\">%d</text></g>\n",
                    escape(String.format(Locale.ROOT, "%.1f s %s: %s", e.seconds(), e.kind(), e.description())), px, px,
                    TOP, TOP + plotHeight, colour, px, TOP - 3, colour, i + 1));
        }
        int legendX = WIDTH - RIGHT - 10;
        for (int i = series.size() - 1; i >= 0; i--) {
            Series line = series.get(i);
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (Sample s : samples) {
                double v = line.value().applyAsDouble(s);
                if (!Double.isFinite(v)) {
                    pen = false;
                    continue;
                }
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", LEFT + s.seconds()
                        * xScale, TOP + plotHeight - Math.min(v, top) * yScale));
                pen = true;
            }
            svg.append(String.format(Locale.ROOT, "<path class=\"series\" d=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"1.6\"/>\n", path.toString().strip(), line.colour()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"12\" fill=\"%s\""
                    + " text-anchor=\"end\">%s</text>\n", legendX, line.colour(), escape(line.name())));
            legendX -= 12 + 8 * line.name().length();
        }
        return svg.append("</svg>\n").toString();
    }

    /** Grouped bars per node: L1 hits, L2 hits, loads. */
    private String nodeBars() {
        String[] names = {"L1 hits", "L2 hits", "loads"};
        String[] colours = {"#2471a3", "#27ae60", "#e67e22"};
        long max = 1;
        for (NodeRow n : nodes) {
            max = Math.max(max, Math.max(n.l1Hits(), Math.max(n.l2Hits(), n.loads())));
        }
        double top = niceCeiling(max);
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double group = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, nodes.size());
        double bar = Math.min(60, group / 4);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg class=\"chart\" id=\"chart-nodes\""
                + " xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
                + " aria-label=\"per node\">\n<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">per node"
                + " (cached run)</text>\n", WIDTH, HEIGHT, WIDTH, HEIGHT, LEFT));
        for (int i = 0; i <= 4; i++) {
            double value = top * i / 4;
            double y = TOP + plotHeight - value / top * plotHeight;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", LEFT, WIDTH - RIGHT,
                    y, y, LEFT - 6, y + 4, number(value)));
        }
        for (int n = 0; n < nodes.size(); n++) {
            NodeRow node = nodes.get(n);
            long[] values = {node.l1Hits(), node.l2Hits(), node.loads()};
            double x0 = LEFT + n * group + (group - 3 * bar) / 2;
            for (int k = 0; k < 3; k++) {
                double h = values[k] / top * plotHeight;
                svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                        + " height=\"%.1f\" fill=\"%s\"><title>%s %s: %,d</title></rect>\n", x0 + k * bar,
                        TOP + plotHeight - h, bar - 2, h, colours[k], escape(node.node()), names[k], values[k]));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
                    + "%s</text>\n", x0 + 1.5 * bar, HEIGHT - BOTTOM + 16, escape(node.node())));
        }
        int legendX = WIDTH - RIGHT - 10;
        for (int k = names.length - 1; k >= 0; k--) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"12\" fill=\"%s\""
                    + " text-anchor=\"end\">%s</text>\n", legendX, colours[k], names[k]));
            legendX -= 12 + 7 * names[k].length();
        }
        return svg.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    static double niceCeiling(double value) {
        if (!(value > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * power >= value - 1e-9) {
                return factor * power;
            }
        }
        return 10 * power;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

package io.mongocache.benchmarks.cluster.demo;

import java.util.ArrayList;
import java.util.List;

/** A report built from made-up numbers, so its rendering can be tested without running the demo. */
final class CannedReports {
    private CannedReports() {}

    static ClusterReport report(long stale) {
        List<ClusterReport.Sample> samples = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            boolean frozen = s >= 20 && s < 23;
            samples.add(new ClusterReport.Sample(s + 0.5, frozen ? 0 : 900 + 10 * (s % 7), frozen ? Double.NaN : 1.2,
                    frozen ? Double.NaN : 9.5 + s % 5, s < 3 ? Double.NaN : 0.8 + 0.001 * s, s < 10 ? "n1" : "n2"));
        }
        return new ClusterReport(List.of("MongoDB : canned", "Redis   : canned <none>"), stale, 123_456, 0,
                stale == 0 ? List.of() : List.of("read by id via http://127.0.0.1:1 answered db/p1 version 1"),
                samples, List.of(new ClusterReport.FaultEvent(8.2, "kill-leader", "SIGKILL n1 (pid 1), the leader"),
                        new ClusterReport.FaultEvent(20.0, "sigstop", "SIGSTOP n3 for 3.0 s"),
                        new ClusterReport.FaultEvent(23.0, "sigcont", "SIGCONT n3"),
                        new ClusterReport.FaultEvent(31.0, "restarted", "n1 answers again")),
                List.of(new ClusterReport.NodeRow("n1", 9_000, 500, 2_000, 1_500, 1),
                        new ClusterReport.NodeRow("n2", 20_000, 700, 3_000, 2_300, 0),
                        new ClusterReport.NodeRow("n3", 18_000, 650, 2_800, 2_150, 0)),
                List.of(new ClusterReport.LatencyRow("cached", 54_000, 3, 900, 1.2, 3.4, 9.5, 3_100),
                        new ClusterReport.LatencyRow("uncached", 20_000, 0, 660, 2.5, 5.0, 14.0, 80)),
                List.of(new ClusterReport.LagRow("outside write", 30, 45, 3_800, 3_900),
                        new ClusterReport.LagRow("write through one node", 30, 3, 40, 45)),
                List.of(new ClusterReport.LeaderChange(11.5, "n1", "n2", 3.3)),
                List.of(new ClusterReport.CommandRow("cached", 54_000, 9_000),
                        new ClusterReport.CommandRow("uncached", 20_000, 20_100)),
                List.of("canned numbers"));
    }
}

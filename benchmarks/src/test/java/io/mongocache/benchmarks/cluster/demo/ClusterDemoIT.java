package io.mongocache.benchmarks.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cluster demo's short run (3 nodes of the example's executable jar, ~30 s of load, the leader killed and
 * restarted, a node frozen past maxStaleness, the Redis subscriptions killed): every answer within its bound.
 * Needs {@code spring/example/target/mongocache-example-*-exec.jar}, which the reactor builds before this module.
 */
class ClusterDemoIT {
    @Test
    void shouldServeNoStaleAnswerThroughTheScriptedFaults() throws Exception {
        ClusterDemo.Result result = ClusterDemo.run(ClusterDemo.Options.shortRun(Path.of("target", "cluster-demo-it")));
        ClusterReport report = result.report();

        assertEquals("stale responses beyond bound: 0", report.text().lines().findFirst().orElseThrow(),
                report.text());
        assertEquals(0, report.wrongCounts(), report.text());
        Set<String> happened = report.events().stream().map(ClusterReport.FaultEvent::kind)
                .collect(Collectors.toSet());
        assertTrue(happened.containsAll(List.of("kill-leader", "restarted", "sigstop", "sigcont", "pubsub-kill")),
                "faults that happened: " + happened);
        assertFalse(happened.contains("failed"), report.text());
        assertTrue(report.checkedResponses() > 0, report.text());
        assertTrue(report.hitRatio() > 0, report.text());
        assertTrue(Files.readString(result.html()).contains("<svg class=\"chart\""));
    }
}

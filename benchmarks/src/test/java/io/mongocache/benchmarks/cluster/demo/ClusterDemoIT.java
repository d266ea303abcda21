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
 * restarted, one node's tenant pool saturated so that its misses are delegated to peers, a node frozen past
 * maxStaleness, the Redis subscriptions killed): every answer within its bound, misses on the saturated node answered by peers.
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
        assertTrue(happened.containsAll(List.of("kill-leader", "restarted", "saturate", "saturate-end", "sigstop",
                "sigcont", "pubsub-kill")), "faults that happened: " + happened);
        String saturate = report.events().stream().filter(e -> e.kind().equals("saturate")).findFirst()
                .orElseThrow().description();
        java.util.regex.Matcher delegated = java.util.regex.Pattern.compile("(\\d+) of (\\d+) misses sent to it "
                + "answered, (\\d+) reads delegated").matcher(saturate);
        assertTrue(delegated.find(), saturate);
        // Peers answer a delegated miss only while their own pool has room, which the load decides: some must.
        assertTrue(Integer.parseInt(delegated.group(1)) >= 1, "a miss on the saturated node was answered: " + saturate);
        assertTrue(Integer.parseInt(delegated.group(3)) >= Integer.parseInt(delegated.group(1)),
                "the answered misses went to peers over Redis: " + saturate);
        assertFalse(happened.contains("failed"), report.text());
        assertTrue(report.checkedResponses() > 0, report.text());
        assertTrue(report.hitRatio() > 0, report.text());
        assertTrue(Files.readString(result.html()).contains("<svg class=\"chart\""));
    }
}

package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.CacheStats;
import org.junit.jupiter.api.Test;

class StatsRegistryTest {

    @Test
    void shouldBoundTheNamespaceTableAndKeepExactTotals() {
        StatsRegistry stats = new StatsRegistry(100);
        for (int i = 0; i < 20_000; i++) {
            StatsRegistry.Counters c = stats.of("tenant" + i + ".c");
            c.l1Hits.add(3);
            c.loads.increment();
            c.invalidations.increment();
        }
        CacheStats snapshot = stats.snapshot(false, null, CacheStats.Channel.NONE, 0);
        assertTrue(snapshot.namespaces().size() <= 100, "rows: " + snapshot.namespaces().size());
        assertTrue(stats.trackedNamespaces() <= 100);
        assertEquals(60_000, snapshot.totals().l1Hits());
        assertEquals(20_000, snapshot.totals().loads());
        assertEquals(20_000, snapshot.totals().invalidations());
    }

    @Test
    void shouldCountLocalBytesExactlyWhenRowsAreRetiredWhileTheirEntriesLive() {
        StatsRegistry stats = new StatsRegistry(1);
        StatsRegistry.Counters first = stats.of("a.c");
        first.addedToLocal(100);
        stats.of("b.c").addedToLocal(50); // retires a.c's row
        stats.removedFromLocal("a.c", first, 100, true);
        CacheStats snapshot = stats.snapshot(false, null, CacheStats.Channel.NONE, 0);
        assertEquals(50, snapshot.totals().l1Bytes());
        assertEquals(1, snapshot.totals().l1Evictions());
        assertTrue(snapshot.namespace("b.c").l1Bytes() >= 0);
    }
}

package io.mongocache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongocache.CacheStats;
import io.mongocache.NamespaceStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The bound on the {@code namespace} tag, over hand-made statistics (no cache, no server). */
class NamespaceTagsTest {
    private final AtomicReference<CacheStats> stats = new AtomicReference<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Statistics with {@code l1Hits} per namespace, and totals that hold {@code retired} more than the rows. */
    private static CacheStats stats(Map<String, Long> hitsByNamespace, long retired) {
        Map<String, NamespaceStats> rows = new LinkedHashMap<>();
        NamespaceStats totals = hits(retired);
        for (Map.Entry<String, Long> e : hitsByNamespace.entrySet()) {
            rows.put(e.getKey(), hits(e.getValue()));
            totals = totals.plus(hits(e.getValue()));
        }
        return new CacheStats(rows, totals, false, null, 0, CacheStats.Channel.NONE, 0);
    }

    private static NamespaceStats hits(long n) {
        return new NamespaceStats(n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private void bind(int namespaceTags) {
        MeterSettings settings = new MeterSettings(Tags.of("cache", "t"), 0, System::nanoTime);
        new CacheMeters<>(stats, AtomicReference::get, namespaceTags, settings).bindTo(registry);
    }

    private double l1Hits(String namespace) {
        FunctionCounter counter = registry.find("cache.gets").tags("result", "hit", "tier", "l1")
                .tag("namespace", namespace).functionCounter();
        return counter == null ? Double.NaN : counter.count();
    }

    /** Reads every meter, as a registry's publication does (new namespaces are tagged then). */
    private void publish() {
        registry.getMeters().forEach(m -> m.measure().forEach(Measurement::getValue));
    }

    @Test
    void shouldTagOnlyTheFirstNamespacesSeenAndSumTheRestUnderOther() {
        stats.set(stats(Map.of("a.c", 1L, "b.c", 2L, "c.c", 4L), 8));
        bind(2);
        stats.set(stats(Map.of("a.c", 1L, "b.c", 2L, "c.c", 4L, "d.c", 16L), 8));
        publish();

        assertEquals(1, l1Hits("a.c"));
        assertEquals(2, l1Hits("b.c"));
        assertEquals(4 + 16 + 8, l1Hits(TaggedRows.OTHER), "untagged rows and what only the totals hold");
        assertNull(registry.find("cache.gets").tag("namespace", "c.c").meter(), "beyond the bound");
        assertNull(registry.find("cache.gets").tag("namespace", "d.c").meter(), "beyond the bound");
        double sum = registry.find("cache.gets").tags("result", "hit", "tier", "l1").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
        assertEquals(1 + 2 + 4 + 16 + 8, sum, "the series sum to the totals");
        assertTrue(registry.find("cache.gets").meters().stream()
                .allMatch(m -> m.getId().getTag("namespace") != null), "every series has the same tag keys");
        assertTrue(registry.find("cache.size").meters().stream()
                .allMatch(m -> m.getId().getTag("namespace") == null), "cache-wide meters carry no namespace");
    }

    @Test
    void shouldTagNamespacesThatAppearAfterBindingWhileThereIsRoom() {
        stats.set(stats(Map.of(), 0));
        bind(1);
        assertEquals(0, l1Hits(TaggedRows.OTHER));
        stats.set(stats(Map.of("late.c", 3L), 0));
        publish(); // tags late.c and registers its meters
        assertEquals(3, l1Hits("late.c"));
        assertEquals(0, l1Hits(TaggedRows.OTHER));
    }

    @Test
    void shouldReadZeroForATaggedNamespaceTheStatisticsNoLongerHold() {
        stats.set(stats(Map.of("a.c", 5L), 0));
        bind(1);
        stats.set(stats(Map.of(), 5)); // the core's table dropped a.c's row into its totals
        assertEquals(0, l1Hits("a.c"));
        assertEquals(5, l1Hits(TaggedRows.OTHER));
    }

    @Test
    void shouldGiveASecondRegistryTheNamespacesAlreadyTaggedFromTheSameSnapshot() {
        stats.set(stats(Map.of("a.c", 1L, "b.c", 2L), 0));
        MeterSettings settings = new MeterSettings(Tags.of("cache", "t"), Long.MAX_VALUE, () -> 0L);
        CacheMeters<AtomicReference<CacheStats>> meters = new CacheMeters<>(stats, AtomicReference::get, 1, settings);
        meters.bindTo(registry);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        meters.bindTo(second); // the snapshot is not taken again: it never ages on this clock
        for (SimpleMeterRegistry r : java.util.List.of(registry, second)) {
            assertEquals(1, r.get("cache.gets").tags("result", "hit", "tier", "l1", "namespace", "a.c")
                    .functionCounter().count());
            assertEquals(2, r.get("cache.gets").tags("result", "hit", "tier", "l1", "namespace", TaggedRows.OTHER)
                    .functionCounter().count());
        }
    }

    @Test
    void shouldRegisterTotalsWithoutANamespaceTagByDefault() {
        stats.set(stats(Map.of("a.c", 1L, "b.c", 2L), 4));
        bind(0);
        publish();
        FunctionCounter hits = registry.get("cache.gets").tags("result", "hit", "tier", "l1").functionCounter();
        assertEquals(7, hits.count());
        assertTrue(registry.getMeters().stream().allMatch(m -> m.getId().getTag("namespace") == null));
    }
}

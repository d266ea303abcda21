package io.mongocache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotsTest {
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger taken = new AtomicInteger();

    private Snapshots<Object, Integer> snapshots(Duration maxAge) {
        return new Snapshots<>(owner -> taken.incrementAndGet(), maxAge.toNanos(), clock::get);
    }

    @Test
    void shouldTakeOneSnapshotForAllReadsWithinItsMaximumAge() {
        Snapshots<Object, Integer> snapshots = snapshots(Duration.ofSeconds(1));
        Object owner = new Object();
        assertEquals(1, snapshots.read(owner));
        clock.addAndGet(Duration.ofMillis(999).toNanos());
        assertEquals(1, snapshots.read(owner));
        assertEquals(1, taken.get());
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertEquals(2, snapshots.read(owner));
        assertEquals(2, taken.get());
    }

    @Test
    void shouldTakeASnapshotOnEveryReadWhenTheMaximumAgeIsZero() {
        Snapshots<Object, Integer> snapshots = snapshots(Duration.ZERO);
        Object owner = new Object();
        snapshots.read(owner);
        snapshots.read(owner);
        snapshots.read(owner);
        assertEquals(3, taken.get());
    }

    @Test
    void shouldTellListenersOfEachNewSnapshotOnlyWithTheOwnerTheReadPassed() {
        Snapshots<Object, Integer> snapshots = snapshots(Duration.ofSeconds(1));
        Object owner = new Object();
        List<Integer> seen = new ArrayList<>();
        snapshots.onRefresh((o, snapshot) -> {
            assertSame(owner, o);
            seen.add(snapshot);
        });
        snapshots.read(owner);
        snapshots.read(owner);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        snapshots.read(owner);
        assertEquals(List.of(1, 2), seen);
    }
}

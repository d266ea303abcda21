package io.mongocache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static List<Long> pauses(Backoff backoff, int n, long floor, long cap) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(backoff.next(floor, cap));
        }
        return out;
    }

    @Test
    void shouldDoubleUpToTheCapAndStartAgainAfterReset() {
        Backoff backoff = new Backoff(10);
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 2000L, 2000L), pauses(backoff, 10, 0, 2000));
        backoff.reset();
        assertEquals(10, backoff.next(2000));
    }

    @Test
    void shouldStartAtTheFloorWhenOneIsGiven() {
        // The watcher's cannot-open retries: 1 s doubling to 30 s, whatever the transient pause was.
        Backoff backoff = new Backoff(10);
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L), pauses(backoff, 7, 1000, 30_000));
        // The cap bounds the growth: the pause raised by the larger cap is served once, then the smaller cap holds.
        assertEquals(List.of(30000L, 2000L, 2000L), pauses(backoff, 3, 0, 2000));
    }

    @Test
    void shouldComputeTheCeilingWithoutOverflow() {
        assertEquals(10, Backoff.ceiling(10, 1000, 1));
        assertEquals(20, Backoff.ceiling(10, 1000, 2));
        assertEquals(640, Backoff.ceiling(10, 1000, 7));
        assertEquals(1000, Backoff.ceiling(10, 1000, 8));
        assertEquals(1000, Backoff.ceiling(10, 1000, Integer.MAX_VALUE));
        assertEquals(500, Backoff.ceiling(2000, 500, 1));
        assertEquals(0, Backoff.ceiling(0, 500, Integer.MAX_VALUE));
        // One hour in nanoseconds shifted by 30 (what a plain shift did) overflows a long.
        long hour = 3_600_000_000_000L;
        assertEquals(Long.MAX_VALUE, Backoff.ceiling(hour, Long.MAX_VALUE, 40));
        assertThrows(IllegalArgumentException.class, () -> Backoff.ceiling(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0));
    }

    @Test
    void shouldJitterBetweenZeroAndTheCeilingInclusive() {
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        long least = Long.MAX_VALUE;
        long most = 0;
        for (int i = 0; i < 2000; i++) {
            long pause = Backoff.fullJitter(1, 4, 3, random);
            assertTrue(pause >= 0 && pause <= 4, "pause " + pause);
            least = Math.min(least, pause);
            most = Math.max(most, pause);
        }
        assertEquals(0, least);
        assertEquals(4, most);
        assertEquals(0, Backoff.fullJitter(0, 4, 1, random));
        long huge = Backoff.fullJitter(Long.MAX_VALUE, Long.MAX_VALUE, 1, random);
        assertTrue(huge >= 0, "pause " + huge);
    }
}

package io.mongocache.benchmarks;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Per-thread position in a benchmark's key sequence: each thread walks the same (shuffled) sequence of
 * {@code _id}s round-robin, starting at its own offset, so baseline and ours read the same keys in the same
 * order and no two threads contend on a shared counter.
 */
@State(Scope.Thread)
public class KeyCursor {
    private int next;
    /** How many times this thread has gone through the whole sequence. */
    private int laps;
    /** How many keys this thread has taken. */
    private long taken;

    @Setup
    public void setup(ThreadParams thread) {
        next = thread.getThreadIndex() * 7_919;
        laps = 0;
        taken = 0;
    }

    /** The next index in {@code [0, n)}. */
    public int next(int n) {
        taken++;
        int i = next;
        if (i >= n) {
            i %= n;
        }
        int following = i + 1;
        if (following == n) {
            following = 0;
            laps++;
        }
        next = following;
        return i;
    }

    /** The index the next call of {@link #next(int)} will return, without advancing. */
    public int peek(int n) {
        return next >= n ? next % n : next;
    }

    public int laps() {
        return laps;
    }

    /** How many keys this thread has taken so far: a per-thread, ever-increasing operation number. */
    public long taken() {
        return taken;
    }
}

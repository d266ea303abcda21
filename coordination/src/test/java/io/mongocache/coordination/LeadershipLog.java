package io.mongocache.coordination;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What electors' listeners heard, as lines in the order they happened ({@code "a leads 3"}, {@code "a stops 3"}),
 * so a test asserts who led under which epoch, and in which order, without timestamps.
 */
final class LeadershipLog {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** A listener for {@code node} that writes here. */
    LeaderElector.Listener of(String node) {
        return new LeaderElector.Listener() {
            @Override
            public void becameLeader(Lease lease) {
                add(node + " leads " + lease.epoch());
            }

            @Override
            public void stoppedLeading(Lease lease) {
                add(node + " stops " + lease.epoch());
            }
        };
    }

    /** Adds a line of the test's own (what a fake store did, say) among the listeners'. */
    void add(String line) {
        lines.add(line);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}

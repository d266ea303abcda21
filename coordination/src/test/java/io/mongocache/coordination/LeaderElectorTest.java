package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The elector's rules on a clock and a scheduler the test drives, against an in-memory lease store that judges
 * expiry by the same clock: who leads, under which epoch, when it steps down, and in which order the listener and
 * the store hear of it. Nothing here waits; {@link LeaderElectorIT} runs the same elector on MongoDB.
 */
class LeaderElectorTest {
    private static final LeaseSettings SETTINGS =
            new LeaseSettings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    private static final Duration RETRY = SETTINGS.retryPeriod();

    private final ManualScheduler scheduler = new ManualScheduler();
    /** What the listener and the store saw, in order: "a leads 1", "a stops 1", "release a 1", … */
    private final LeadershipLog events = new LeadershipLog();
    private final FakeLeases store = new FakeLeases();

    /** One lease record, with expiry judged by the scheduler's clock as MongoDB judges it by its own. */
    private final class FakeLeases implements LeaderElector.Leases {
        @Nullable String holder;
        long epoch;
        long renewedAt;
        long durationNanos;
        @Nullable RuntimeException failure;
        /** Runs inside each renewal (to make it slow, or to act while it is in flight). */
        Consumer<Lease> duringRenew = lease -> { };
        /** Runs inside each acquisition. */
        Runnable duringAcquire = () -> { };
        int acquisitions;

        boolean expired() {
            return holder == null || scheduler.nanoTime() - (renewedAt + durationNanos) > 0;
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String node, Duration leaseDuration) {
            acquisitions++;
            duringAcquire.run();
            failIfCutOff();
            if (!expired()) {
                return Optional.empty();
            }
            holder = node;
            epoch++;
            renewedAt = scheduler.nanoTime();
            durationNanos = leaseDuration.toNanos();
            return Optional.of(new Lease(name, node, epoch));
        }

        @Override
        public boolean renew(Lease lease) {
            duringRenew.accept(lease);
            failIfCutOff();
            if (!ours(lease)) {
                return false;
            }
            renewedAt = scheduler.nanoTime();
            return true;
        }

        @Override
        public boolean release(Lease lease) {
            events.add("release " + lease.holder() + " " + lease.epoch());
            if (!ours(lease)) {
                return false;
            }
            renewedAt = Long.MIN_VALUE / 2;
            return true;
        }

        private boolean ours(Lease lease) {
            return lease.holder().equals(holder) && lease.epoch() == epoch;
        }

        private void failIfCutOff() {
            if (failure != null) {
                throw failure;
            }
        }

        /** Another node takes the lease (as if it had expired there): the next epoch is theirs. */
        void takenBy(String node) {
            holder = node;
            epoch++;
            renewedAt = scheduler.nanoTime();
            durationNanos = SETTINGS.leaseDuration().toNanos();
        }
    }

    private LeaderElector elector(String node) {
        return new LeaderElector(store, "watcher", node, SETTINGS, scheduler, scheduler::nanoTime, events.of(node));
    }

    /** An elector that has had its first try (at once, as {@code start} schedules it). */
    private LeaderElector started(String node) {
        LeaderElector elector = elector(node);
        elector.start();
        scheduler.runDue();
        return elector;
    }

    @Test
    void shouldLeadAtTheFirstTryWhenTheLeaseIsFree() {
        LeaderElector a = elector("a");
        a.start();
        assertFalse(a.isLeader(), "nothing runs before the scheduler does");
        scheduler.runDue();
        assertTrue(a.isLeader());
        assertEquals(Optional.of(new Lease("watcher", "a", 1)), a.lease());
        assertEquals(List.of("a leads 1"), events.lines());
    }

    @Test
    void shouldRenewEveryRetryPeriodUnderTheSameEpoch() {
        LeaderElector a = started("a");
        for (int i = 0; i < 20; i++) {
            scheduler.advance(RETRY);
            assertEquals(scheduler.nanoTime(), store.renewedAt, "renewed at " + i);
        }
        assertTrue(a.isLeader(), "40 s of renewals keep a 15 s lease");
        assertEquals(1, a.lease().orElseThrow().epoch(), "a renewal never changes the epoch");
        assertEquals(List.of("a leads 1"), events.lines());
    }

    @Test
    void shouldStayFollowerWhileAnotherNodeHoldsTheLeaseAndTakeOverOnceItExpires() {
        store.takenBy("b"); // b leads under epoch 1 and then dies: it never renews
        LeaderElector a = started("a");
        scheduler.advance(SETTINGS.leaseDuration().minus(RETRY));
        assertFalse(a.isLeader(), "the lease of b has not expired yet");
        assertTrue(store.acquisitions > 1, "a kept trying: " + store.acquisitions);
        scheduler.advance(RETRY.multipliedBy(2));
        assertTrue(a.isLeader(), "taken over at the first try after the lease expired");
        assertEquals(2, a.lease().orElseThrow().epoch(), "a takeover is the next epoch");
        assertEquals(List.of("a leads 2"), events.lines());
    }

    @Test
    void shouldStepDownWhenTheLeaseWasTakenOverAndNotLeadAgainWhileTheOtherHoldsIt() {
        LeaderElector a = started("a");
        store.takenBy("b");
        scheduler.advance(RETRY);
        assertFalse(a.isLeader());
        assertEquals(Optional.empty(), a.lease());
        scheduler.advance(RETRY.multipliedBy(5));
        assertEquals(List.of("a leads 1", "a stops 1"), events.lines(), "refused renewal: the listener heard it once");
    }

    @Test
    void shouldStepDownWhenARenewalFailsAndAcquireAgainOnlyAfterItsOwnLeaseExpired() {
        LeaderElector a = started("a");
        store.failure = new IllegalStateException("MongoDB unreachable");
        scheduler.advance(RETRY);
        assertFalse(a.isLeader(), "an exception is a renewal of unknown outcome: the lease counts as lost");
        assertEquals(List.of("a leads 1", "a stops 1"), events.lines());
        store.failure = null;
        scheduler.advance(RETRY);
        assertFalse(a.isLeader(), "the old lease may still be held by the server: no second leader");
        scheduler.advance(SETTINGS.leaseDuration());
        assertTrue(a.isLeader());
        assertEquals(List.of("a leads 1", "a stops 1", "a leads 2"), events.lines());
    }

    @Test
    void shouldStepDownWhenARenewalSucceedsOnlyAfterTheRenewDeadline() {
        LeaderElector a = started("a");
        List<Boolean> leadingDuringTheCall = new ArrayList<>();
        store.duringRenew = lease -> {
            scheduler.elapse(SETTINGS.renewDeadline());
            leadingDuringTheCall.add(a.isLeader());
        };
        scheduler.advance(RETRY);
        assertEquals(List.of(false), leadingDuringTheCall,
                "the local deadline counts from the start of the last renewal, so it ends while the call hangs");
        assertFalse(a.isLeader(), "a renewal that came back too late is not trusted");
        assertEquals(List.of("a leads 1", "a stops 1"), events.lines());
    }

    @Test
    void shouldCountTheLocalDeadlineFromTheStartOfTheRenewal() {
        LeaderElector a = started("a");
        Duration slow = Duration.ofSeconds(1);
        store.duringRenew = lease -> scheduler.elapse(slow);
        scheduler.advance(RETRY);
        long renewalStart = scheduler.nanoTime() - slow.toNanos();
        // Stop the ticks from running: only the local deadline is left to end the leadership.
        scheduler.shutdownNow();
        scheduler.elapse(Duration.ofNanos(renewalStart + SETTINGS.renewDeadline().toNanos() - 1
                - scheduler.nanoTime()));
        assertTrue(a.isLeader());
        scheduler.elapse(Duration.ofNanos(1));
        assertFalse(a.isLeader(), "renewDeadline after the renewal was sent, not after its answer");
    }

    @Test
    void shouldResignListenerFirstReleaseAndHoldOffBeforeTryingAgain() {
        LeaderElector a = started("a");
        Duration holdOff = Duration.ofSeconds(30);
        a.resign(holdOff);
        scheduler.runDue();
        assertFalse(a.isLeader());
        assertEquals(List.of("a leads 1", "a stops 1", "release a 1"), events.lines(),
                "the work stops before the release");
        assertTrue(store.expired(), "released: another node may take it at once");
        int acquisitions = store.acquisitions;
        scheduler.advance(holdOff.minus(Duration.ofNanos(1)));
        assertEquals(acquisitions, store.acquisitions, "no try during the hold-off");
        scheduler.advance(RETRY);
        assertTrue(a.isLeader());
        assertEquals(2, a.lease().orElseThrow().epoch());
    }

    @Test
    void shouldStepDownReleaseAndStopTryingOnClose() {
        LeaderElector a = started("a");
        a.close();
        assertEquals(List.of("a leads 1", "a stops 1", "release a 1"), events.lines());
        assertTrue(store.expired());
        int acquisitions = store.acquisitions;
        scheduler.advance(RETRY.multipliedBy(10));
        assertEquals(acquisitions, store.acquisitions, "a closed elector never tries again");
        assertFalse(a.isLeader());
    }

    @Test
    void shouldGiveBackALeaseAcquiredWhileClosing() {
        LeaderElector a = elector("a");
        store.duringAcquire = a::close; // close() arrives while the acquisition is in flight
        a.start();
        scheduler.runDue();
        assertFalse(a.isLeader());
        assertEquals(List.of("release a 1"), events.lines(), "never told it leads; the lease goes back at once");
        assertTrue(store.expired());
    }

    @Test
    void shouldEndLeadershipEvenWhenTheListenerThrows() {
        LeaderElector a = new LeaderElector(store, "watcher", "a", SETTINGS, scheduler, scheduler::nanoTime,
                new LeaderElector.Listener() {
                    @Override
                    public void becameLeader(Lease lease) {
                        events.of("a").becameLeader(lease);
                    }

                    @Override
                    public void stoppedLeading(Lease lease) {
                        throw new IllegalStateException("listener failed");
                    }
                });
        a.start();
        scheduler.runDue();
        store.takenBy("b");
        scheduler.advance(RETRY);
        assertFalse(a.isLeader());
        scheduler.advance(SETTINGS.leaseDuration().plus(RETRY));
        assertEquals(List.of("a leads 1", "a leads 3"), events.lines(),
                "it can lead again once the other lease expired");
    }
}

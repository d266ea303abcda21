package io.mongocache.coordination;

import com.mongodb.annotations.ThreadSafe;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps trying to hold one lease, and tells a listener when this node becomes or stops being the leader.
 *
 * <p>Every {@code retryPeriod}: a follower tries to acquire; a leader renews. The local deadline of a renewal
 * starts <em>before</em> the request is sent, so the local view of the lease always ends earlier than the
 * server's. A renewal refused (the lease was taken over), failed, or of unknown outcome (an exception) means the
 * lease is lost: the listener's {@code stoppedLeading} runs first — it must stop the work the lease guards — and
 * only then does the node consider acquiring again. A leader that has not renewed successfully within
 * {@code renewDeadline} steps down the same way, well before {@code leaseDuration} lets another node take over.
 *
 * <p>Concurrency: all state changes happen on the scheduler thread; {@link #isLeader()} reads volatile state.
 * Time and scheduling are injected.
 */
@ThreadSafe
public final class LeaderElector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElector.class);

    /**
     * The lease operations the elector needs — {@link LeaseStore} in MongoDB, judged by the server's clock; an
     * in-memory fake in the elector's unit tests.
     */
    interface Leases {
        Optional<Lease> tryAcquire(String name, String node, java.time.Duration leaseDuration);

        boolean renew(Lease lease);

        boolean release(Lease lease);
    }

    /** Told when leadership starts and ends, with the lease (and so the epoch, the fencing token). */
    public interface Listener {
        void becameLeader(Lease lease);

        void stoppedLeading(Lease lease);
    }

    private final Leases store;
    private final String leaseName;
    private final String nodeId;
    private final LeaseSettings settings;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private volatile @Nullable Lease lease;
    private volatile long lastRenewalStartNanos;
    private volatile @Nullable ScheduledFuture<?> task;
    private volatile boolean closed;
    private volatile long holdOffUntilNanos;
    private volatile boolean holdingOff;

    /**
     * @param nanoClock the local clock of the deadlines ({@code System::nanoTime}); the lease's own expiry is
     *     judged by the server
     * @throws IllegalArgumentException if an argument is null
     */
    public LeaderElector(LeaseStore store, String leaseName, String nodeId, LeaseSettings settings,
            ScheduledExecutorService scheduler, LongSupplier nanoClock, Listener listener) {
        this((Leases) store, leaseName, nodeId, settings, scheduler, nanoClock, listener);
    }

    /** On any lease operations: a fake store and a manual scheduler make the elector's tests exact. */
    LeaderElector(Leases store, String leaseName, String nodeId, LeaseSettings settings,
            ScheduledExecutorService scheduler, LongSupplier nanoClock, Listener listener) {
        if (store == null || leaseName == null || nodeId == null || settings == null || scheduler == null
                || nanoClock == null || listener == null) {
            throw new IllegalArgumentException("every argument of LeaderElector is required");
        }
        this.store = store;
        this.leaseName = leaseName;
        this.nodeId = nodeId;
        this.settings = settings;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** Starts trying at once, then every {@code retryPeriod}. */
    public void start() {
        long period = settings.retryPeriod().toNanos();
        task = scheduler.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.NANOSECONDS);
    }

    /** Whether this node holds the lease and its local deadline has not passed. */
    public boolean isLeader() {
        return lease != null && nanoClock.getAsLong() - lastRenewalStartNanos < settings.renewDeadline().toNanos();
    }

    /** The lease held, if any. */
    public Optional<Lease> lease() {
        return isLeader() ? Optional.ofNullable(lease) : Optional.empty();
    }

    void tick() {
        if (closed) {
            return;
        }
        Lease held = lease;
        long attemptStart = nanoClock.getAsLong();
        if (held != null) {
            boolean renewed;
            try {
                renewed = store.renew(held);
            } catch (RuntimeException e) {
                LOG.warn("mongocache: renewing lease {} failed ({}); stepping down", leaseName, e.toString());
                renewed = false;
            }
            if (renewed && nanoClock.getAsLong() - attemptStart < settings.renewDeadline().toNanos()) {
                lastRenewalStartNanos = attemptStart;
            } else {
                stepDown(held);
            }
            return;
        }
        if (holdingOff && nanoClock.getAsLong() - holdOffUntilNanos < 0) {
            return;
        }
        holdingOff = false;
        try {
            Optional<Lease> acquired = store.tryAcquire(leaseName, nodeId, settings.leaseDuration());
            if (acquired.isPresent() && closed) {
                store.release(acquired.get()); // closed while acquiring: give it back at once
                return;
            }
            if (acquired.isPresent()) {
                lastRenewalStartNanos = attemptStart;
                lease = acquired.get();
                listener.becameLeader(acquired.get());
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: acquiring lease {} failed", leaseName, e);
        }
    }

    private void stepDown(Lease held) {
        try {
            listener.stoppedLeading(held);
        } catch (RuntimeException e) {
            LOG.warn("mongocache: stoppedLeading threw; leadership ends anyway", e);
        } finally {
            lease = null;
        }
    }

    /**
     * Gives leadership up voluntarily — for a leader that cannot do its work (its watcher cannot reach Redis): steps
     * down (listener first), releases the lease so another node takes over at once, and does not try to acquire
     * again for {@code holdOff}. Runs on the scheduler thread, like every state change.
     */
    public void resign(java.time.Duration holdOff) {
        scheduler.execute(() -> {
            Lease held = lease;
            if (held == null || closed) {
                return;
            }
            holdOffUntilNanos = nanoClock.getAsLong() + holdOff.toNanos();
            holdingOff = true;
            stepDown(held);
            try {
                store.release(held);
            } catch (RuntimeException e) {
                LOG.debug("mongocache: releasing lease {} failed; it will expire", leaseName, e);
            }
        });
    }

    /**
     * Stops trying; a leader steps down (listener first) and releases the lease so another node takes over. The
     * step-down runs on the scheduler thread after any tick in progress, so a renewal or acquisition racing with
     * close cannot leave the lease held; waits for it up to {@code leaseDuration}.
     */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        Runnable finish = () -> {
            Lease held = lease;
            if (held != null) {
                stepDown(held);
                try {
                    store.release(held);
                } catch (RuntimeException e) {
                    LOG.debug("mongocache: releasing lease {} failed; it will expire", leaseName, e);
                }
            }
        };
        try {
            scheduler.submit(finish).get(settings.leaseDuration().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            finish.run(); // the scheduler is already shut down: nothing else can run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("mongocache: stepping down on close did not finish ({}); the lease will expire", e.toString());
        }
    }
}

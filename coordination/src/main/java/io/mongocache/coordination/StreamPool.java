package io.mongocache.coordination;

import io.mongocache.common.DaemonThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs many change-stream watchers on a few threads: a database scope on a server without database-level streams
 * needs one stream per collection, and a thread (plus a connection held in a long {@code getMore}) for each would
 * cost 1,000 threads and connections for 1,000 collections. Here each watcher is a sequence of short steps (claim,
 * open, or poll up to 100 events) that the pool schedules one after another; a pooled stream waits at most
 * {@link #awaitMillis()} in the server, so a thread never sits in one idle stream while others have events, and
 * at most {@code threads} connections are in use for streams at once.
 *
 * <p>Idle streams back off (1 ms doubling) up to a cap that grows with the number of streams — 2 ms per stream,
 * between 50 ms and 2 s — so the pool's idle polling stays near 500 {@code getMore}s per second however many
 * collections there are; an outside write to an idle collection is therefore seen within that cap (2 s at 1,000
 * collections). Idle streams record their resume token at most every 5 s, or every 100 ms per stream when there
 * are more than 50, which bounds the pool's idle checkpoint writes near 10 per second.
 *
 * <p>Concurrency: a watcher has at most one step pending or running: the next is scheduled only when a step
 * returns, and {@link #wake} swaps the pending step's ticket for a new one scheduled at once — the old step then
 * finds its ticket gone and does nothing, and a step already running has removed its ticket, so no wake happens.
 * Failure modes: a step that throws ends its watcher (logged by the watcher; its leader hands over); a step
 * scheduled after {@link #close()} ends its watcher at once.
 */
final class StreamPool implements AutoCloseable {
    private final ScheduledExecutorService executor;
    /** Each watcher's one pending step, by a ticket that only that step holds. */
    private final Map<ChangeStreamWatcher, Object> pending = new ConcurrentHashMap<>();
    private final java.util.Set<ChangeStreamWatcher> members = ConcurrentHashMap.newKeySet();

    StreamPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("streamThreads must be at least 1, was " + threads);
        }
        this.executor = new ScheduledThreadPoolExecutor(threads, DaemonThreadFactory.numbered("mongocache-streams-"));
    }

    /** Streams this pool runs now. */
    int size() {
        return members.size();
    }

    /** How long a pooled stream's {@code getMore} waits in the server for an event. */
    long awaitMillis() {
        return 1;
    }

    /** The longest pause between two polls of an idle stream. */
    long idleCapMillis() {
        return Math.max(50, Math.min(2000, 2L * size()));
    }

    /** The shortest time between two checkpoints of an idle stream's progress. */
    long idleCheckpointNanos() {
        return Math.max(ChangeStreamWatcher.IDLE_CHECKPOINT_EVERY.toNanos(),
                TimeUnit.MILLISECONDS.toNanos(100L * size()));
    }

    void add(ChangeStreamWatcher watcher) {
        members.add(watcher);
        schedule(watcher, 0);
    }

    /** Runs the watcher's next step now instead of after its pause (it is stopping), unless a step is running. */
    void wake(ChangeStreamWatcher watcher) {
        Object waiting = pending.get(watcher);
        Object now = new Object();
        if (waiting != null && pending.replace(watcher, waiting, now)) {
            submit(watcher, now, 0);
        }
    }

    private void schedule(ChangeStreamWatcher watcher, long delayMillis) {
        Object ticket = new Object();
        pending.put(watcher, ticket);
        submit(watcher, ticket, delayMillis);
    }

    private void submit(ChangeStreamWatcher watcher, Object ticket, long delayMillis) {
        try {
            executor.schedule(() -> step(watcher, ticket), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            end(watcher);
        }
    }

    /** Runs a step if its ticket is still the watcher's pending one (a wake replaces it; the old one then idles). */
    private void step(ChangeStreamWatcher watcher, Object ticket) {
        if (!pending.remove(watcher, ticket)) {
            return;
        }
        long delay = watcher.stepSafely();
        if (delay < 0) {
            end(watcher);
        } else {
            schedule(watcher, delay);
        }
    }

    private void end(ChangeStreamWatcher watcher) {
        pending.remove(watcher);
        members.remove(watcher);
        watcher.finish();
    }

    /** Stops running steps; watchers still in it end (their streams closed) as their next step would have run. */
    @Override
    public void close() {
        executor.shutdownNow();
        for (ChangeStreamWatcher w : List.copyOf(members)) {
            end(w);
        }
    }
}

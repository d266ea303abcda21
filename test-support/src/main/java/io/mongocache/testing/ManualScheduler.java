package io.mongocache.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ScheduledExecutorService} with a clock of its own that only the test moves: nothing runs until the test
 * calls {@link #advance} or {@link #runDue}, and then every task due by the new time runs on the test's thread, in
 * order of due time (then of submission). Code under test takes {@code scheduler::nanoTime} as its clock, so time
 * and scheduling are one thing and a test of timeouts, renewals and back-off is exact and instant — the
 * deterministic scheduler of ShedLock's and Caffeine's tests.
 *
 * <p>Waiting on a future of this scheduler runs the tasks already due (the caller is the only thread there is);
 * a timed {@code get} whose task is not due yet fails with {@link TimeoutException} at once rather than waiting for
 * time that only the test can move, and an untimed one fails with {@link IllegalStateException}.
 *
 * <p>Concurrency: not thread-safe; one test thread drives it, and the tasks run on that thread.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private long now;
    private long submitted;
    private boolean shutdown;

    /** Now, in nanoseconds, on this scheduler's clock (starts at 0; only {@link #advance} moves it). */
    public long nanoTime() {
        return now;
    }

    /** Moves the clock forward by {@code duration}, running every task that falls due on the way, at its time. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + duration);
        }
        runUntil(now + duration.toNanos());
    }

    /**
     * Moves the clock forward by {@code duration} without running anything: the task running now took that long
     * (a slow call inside it). What fell due meanwhile runs at the next {@link #advance} or {@link #runDue}.
     */
    public void elapse(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + duration);
        }
        now += duration.toNanos();
    }

    /** Runs every task due now (those submitted without a delay included), without moving the clock. */
    public void runDue() {
        runUntil(now);
    }

    /** Tasks waiting, periodic ones included. */
    public int pending() {
        return queue.size();
    }

    private void runUntil(long target) {
        Task<?> next;
        while ((next = queue.peek()) != null && next.due - target <= 0) {
            queue.poll();
            now = Math.max(now, next.due);
            next.run();
        }
        now = Math.max(now, target);
    }

    private <V> Task<V> enqueue(Task<V> task) {
        if (shutdown) {
            throw new RejectedExecutionException("the scheduler is shut down");
        }
        queue.add(task);
        return task;
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof Task<?> task) {
            enqueue(task); // submitted: newTaskFor made it
        } else {
            enqueue(new Task<Void>(command, null, now, 0));
        }
    }

    @Override
    protected <T> java.util.concurrent.RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new Task<>(runnable, value, now, 0);
    }

    @Override
    protected <T> java.util.concurrent.RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new Task<>(callable, now, 0);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<Void>(command, null, now + unit.toNanos(delay), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, now + unit.toNanos(delay), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(new Task<Void>(command, null, now + unit.toNanos(initialDelay), positive(period, unit)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        return enqueue(new Task<Void>(command, null, now + unit.toNanos(initialDelay), -positive(delay, unit)));
    }

    private static long positive(long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("the period must be positive but was " + period + " " + unit);
        }
        return unit.toNanos(period);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && queue.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    /** A task with its due time; {@code period} > 0 repeats at a fixed rate, < 0 with a fixed delay, 0 once. */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final long sequence = submitted++;
        private final long period;
        private long due;

        Task(Runnable runnable, V result, long due, long period) {
            super(runnable, result);
            this.due = due;
            this.period = period;
        }

        Task(Callable<V> callable, long due, long period) {
            super(callable);
            this.due = due;
            this.period = period;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (runAndReset() && !shutdown) {
                due = period > 0 ? due + period : now - period;
                queue.add(this);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - now, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof Task<?> task) {
                int byDue = Long.compare(due, task.due);
                return byDue != 0 ? byDue : Long.compare(sequence, task.sequence);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            runDue();
            if (!isDone()) {
                throw new IllegalStateException("waiting for a task that is not due would wait forever: advance "
                        + "the clock of the ManualScheduler first");
            }
            return super.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            runDue();
            if (!isDone()) {
                throw new TimeoutException("the task is not due on the ManualScheduler's clock");
            }
            return super.get();
        }
    }
}

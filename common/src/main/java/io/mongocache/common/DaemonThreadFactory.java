package io.mongocache.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes daemon threads with names that say whose they are ({@code mongocache-…}), so a thread dump points at the
 * library and a forgotten {@code close()} never keeps a JVM alive. Shared plumbing of mongocache's own modules, not
 * user API.
 */
public final class DaemonThreadFactory implements ThreadFactory {
    private final String name;
    private final boolean numbered;
    private final AtomicLong count = new AtomicLong();

    private DaemonThreadFactory(String name, boolean numbered) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must be a non-empty thread name");
        }
        this.name = name;
        this.numbered = numbered;
    }

    /** Every thread is called {@code name}: for a single thread, or a small pool whose threads do the same job. */
    public static DaemonThreadFactory named(String name) {
        return new DaemonThreadFactory(name, false);
    }

    /** Threads called {@code prefix1}, {@code prefix2}, … in the order they are made. */
    public static DaemonThreadFactory numbered(String prefix) {
        return new DaemonThreadFactory(prefix, true);
    }

    /** A daemon thread of normal priority, whatever the creating thread's priority is; not started. */
    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, numbered ? name + count.incrementAndGet() : name);
        thread.setDaemon(true);
        thread.setPriority(Thread.NORM_PRIORITY);
        return thread;
    }
}

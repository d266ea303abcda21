package io.mongocache.pooling.internal;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One separate pool: a {@code MongoClient} with its own limits, opened lazily or eagerly, closed when idle, retired
 * when its configuration is replaced.
 *
 * <p>A pool is busy while a command is in flight, a server cursor is open (a query being read, a change stream:
 * {@link OpenCursors}) or a session it handed out is open ({@link SessionCounting}). Auto-close — the idle TTL
 * ({@link #closeIfIdle}) and eviction under the cap ({@link #closeIfQuiet}) — closes only a pool that is not busy,
 * so a cursor, change stream, session or transaction never loses its client to it. A retired pool hands out no
 * client any more (its replacement serves the name) and is closed by {@link #closeIfQuiet} once it is not busy.
 *
 * <p>Concurrency: open, close and retire are synchronized on the pool; the open client and the retired flag are
 * volatile, so routing reads them without locking. Once {@link #retire} returns, {@link #client} opens nothing and
 * returns null, so a caller that looked the pool up before its replacement looks again and finds the replacement;
 * nothing can reopen a retired pool behind its owner's back. Failure modes: closing never interrupts a command —
 * the busy checks run under the lock — but a caller that read the client just before an idle close and starts a
 * command after it fails with the driver's "state should be: open" error, which the next call avoids by
 * reopening.
 */
public final class Pool {
    private final String name;
    private final MongoClientSettings settings;
    private final String target;
    private final int maxConnections;
    private final int minConnections;
    private final @Nullable Duration idleTtl;
    private final @Nullable Duration slowCommandThreshold;
    private final Function<MongoClientSettings, MongoClient> clientFactory;
    private volatile @Nullable Open open;
    private volatile DriverEvents events;
    private volatile boolean retired;

    /** An open client, the view of it handed out (which counts sessions), and the count. */
    private record Open(MongoClient client, MongoClient view, AtomicInteger sessions) {}

    /**
     * @param settings      the user's settings for this pool (base, connection string and the pool's own changes);
     *                      each client opened adds the limits and this pool's event listeners to them, after the
     *                      user's listeners
     * @param target        where the pool connects, for log lines: hosts or a masked connection string, never
     *                      credentials
     * @param clientFactory creates the client from the settings built here ({@code MongoClients::create}; a fake in
     *                      unit tests)
     */
    public Pool(String name, MongoClientSettings settings, String target, int maxConnections, int minConnections,
            @Nullable Duration idleTtl, @Nullable Duration slowCommandThreshold,
            Function<MongoClientSettings, MongoClient> clientFactory) {
        this.name = name;
        this.settings = settings;
        this.target = target;
        this.maxConnections = maxConnections;
        this.minConnections = minConnections;
        this.idleTtl = idleTtl;
        this.slowCommandThreshold = slowCommandThreshold;
        this.clientFactory = clientFactory;
        this.events = new DriverEvents(name, slowCommandThreshold);
    }

    public String name() {
        return name;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int minConnections() {
        return minConnections;
    }

    public @Nullable Duration idleTtl() {
        return idleTtl;
    }

    /** Where the pool connects, without credentials. */
    public String target() {
        return target;
    }

    public boolean isOpen() {
        return open != null;
    }

    public DriverEvents events() {
        return events;
    }

    /** Sessions handed out by the open client and not closed yet. */
    public int openSessions() {
        Open o = open;
        return o == null ? 0 : o.sessions().get();
    }

    /**
     * The open client, opening it first if needed; {@code onOpen} runs when this call opened it. Null once the pool
     * is retired: look up its replacement.
     */
    public @Nullable MongoClient client(Consumer<Pool> onOpen) {
        Open o = open;
        if (o != null && !retired) {
            events.touch();
            return o.view();
        }
        boolean opened = false;
        synchronized (this) {
            if (retired) {
                return null;
            }
            o = open;
            if (o == null) {
                DriverEvents fresh = new DriverEvents(name, slowCommandThreshold);
                MongoClient client = clientFactory.apply(DriverEvents.addedTo(MongoClientSettings.builder(settings)
                        .applyToConnectionPoolSettings(pool -> pool.maxSize(maxConnections).minSize(minConnections)),
                        fresh).build());
                AtomicInteger sessions = new AtomicInteger();
                o = new Open(client, SessionCounting.client(client, sessions), sessions);
                events = fresh;
                open = o;
                opened = true;
            }
        }
        events.touch();
        if (opened) {
            onOpen.accept(this);
        }
        return o.view();
    }

    /** The client if the pool is open, without opening it or counting as a use. */
    public @Nullable MongoClient openClient() {
        Open o = open;
        return o == null ? null : o.view();
    }

    /** Closes the client if it has been unused for its TTL and is not busy; true if it closed. */
    public synchronized boolean closeIfIdle(long nowMillis) {
        Open o = open;
        if (o == null || idleTtl == null || nowMillis - events.lastUsedMillis() < idleTtl.toMillis()) {
            return false;
        }
        return closeUnlessBusy(o, nowMillis);
    }

    /** Closes the client if it is not busy (for eviction, and for a retired pool); true if it closed. */
    public synchronized boolean closeIfQuiet(long nowMillis) {
        Open o = open;
        return o != null && closeUnlessBusy(o, nowMillis);
    }

    private boolean closeUnlessBusy(Open o, long nowMillis) {
        DriverEvents e = events;
        if (e.inFlight() > 0 || e.openCursors(nowMillis) > 0 || o.sessions().get() > 0) {
            return false;
        }
        open = null;
        o.client().close();
        return true;
    }

    /** From now on {@link #client} opens nothing and returns null; closing is left to the caller. */
    public synchronized void retire() {
        retired = true;
    }

    public boolean isRetired() {
        return retired;
    }

    /** Waits up to {@code timeout} for in-flight commands to finish, then closes. */
    public void closeGracefully(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.inFlight() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        closeNow();
    }

    public synchronized void closeNow() {
        Open o = open;
        open = null;
        if (o != null) {
            o.client().close();
        }
    }
}

package io.mongocache.pooling.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One separate pool: a {@code MongoClient} with its own limits, opened lazily or eagerly, closed when idle.
 *
 * <p>Concurrency: open and close are synchronized on the pool; the client reference is volatile so routing reads
 * it without locking. Failure modes: closing never interrupts a command — {@link #closeIfIdle} checks the
 * driver's in-flight count under the lock, and a command that starts after the check on the old client fails
 * with the driver's "state should be: open" error, which the next call avoids by reopening.
 */
public final class Pool {
    private final String name;
    private final String uri;
    private final int maxConnections;
    private final int minConnections;
    private final @Nullable Duration idleTtl;
    private final @Nullable Duration slowCommandThreshold;
    private volatile @Nullable MongoClient client;
    private volatile DriverEvents events;

    public Pool(String name, String uri, int maxConnections, int minConnections, @Nullable Duration idleTtl,
            @Nullable Duration slowCommandThreshold) {
        this.name = name;
        this.uri = uri;
        this.maxConnections = maxConnections;
        this.minConnections = minConnections;
        this.idleTtl = idleTtl;
        this.slowCommandThreshold = slowCommandThreshold;
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

    public String maskedUri() {
        return Masking.uri(uri);
    }

    public boolean isOpen() {
        return client != null;
    }

    public DriverEvents events() {
        return events;
    }

    /** The open client, opening it first if needed; {@code onOpen} runs when this call opened it. */
    public MongoClient client(Consumer<Pool> onOpen) {
        MongoClient c = client;
        if (c != null) {
            events.touch();
            return c;
        }
        boolean opened = false;
        synchronized (this) {
            c = client;
            if (c == null) {
                DriverEvents fresh = new DriverEvents(name, slowCommandThreshold);
                MongoClientSettings settings = MongoClientSettings.builder()
                        .applyConnectionString(new ConnectionString(uri))
                        .applyToConnectionPoolSettings(pool -> pool.maxSize(maxConnections).minSize(minConnections)
                                .addConnectionPoolListener(fresh))
                        .applyToServerSettings(server -> server.addServerMonitorListener(fresh))
                        .addCommandListener(fresh)
                        .build();
                c = MongoClients.create(settings);
                events = fresh;
                client = c;
                opened = true;
            }
        }
        events.touch();
        if (opened) {
            onOpen.accept(this);
        }
        return c;
    }

    /** Closes the client if it has been unused for its TTL and nothing is in flight; true if it closed. */
    public synchronized boolean closeIfIdle(long nowMillis) {
        MongoClient c = client;
        if (c == null || idleTtl == null) {
            return false;
        }
        DriverEvents e = events;
        if (e.inFlight() > 0 || nowMillis - e.lastUsedMillis() < idleTtl.toMillis()) {
            return false;
        }
        client = null;
        c.close();
        return true;
    }

    /** Closes if nothing is in flight (for eviction); true if it closed. */
    public synchronized boolean closeIfQuiet() {
        MongoClient c = client;
        if (c == null || events.inFlight() > 0) {
            return false;
        }
        client = null;
        c.close();
        return true;
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
        MongoClient c = client;
        client = null;
        if (c != null) {
            c.close();
        }
    }
}

package io.mongocache.pooling.internal;

import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckOutFailedEvent;
import com.mongodb.event.ConnectionCheckOutStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerHeartbeatFailedEvent;
import com.mongodb.event.ServerHeartbeatSucceededEvent;
import com.mongodb.event.ServerMonitorListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's own events for one client, turned into counters (connections total / in use / waiting, in-flight
 * commands, open cursors ({@link OpenCursors}), last use) and log lines: heartbeat failures (once per outage), pool
 * clears, connections closed by errors, and — when a threshold is set — slow commands (name, database, time; never
 * the command's content).
 *
 * <p>Concurrency: every counter is atomic; the driver calls listeners from its own threads.
 */
public final class DriverEvents implements CommandListener, ConnectionPoolListener, ServerMonitorListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.mongocache.pooling.driver");

    private final String pool;
    private final @Nullable Duration slowCommandThreshold;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger inUse = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxSize = new AtomicInteger();
    final AtomicInteger minSize = new AtomicInteger();
    final AtomicLong lastUsedMillis = new AtomicLong(System.currentTimeMillis());
    private final OpenCursors cursors = new OpenCursors();
    private volatile boolean heartbeatFailing;

    public DriverEvents(String pool, @Nullable Duration slowCommandThreshold) {
        this.pool = pool;
        this.slowCommandThreshold = slowCommandThreshold;
    }

    /**
     * Adds {@code events} as command, connection-pool and server-monitor listener to {@code settings}, after the
     * listeners already there (the user's keep theirs: the driver's builders append).
     */
    public static MongoClientSettings.Builder addedTo(MongoClientSettings.Builder settings, DriverEvents events) {
        return settings
                .applyToConnectionPoolSettings(pool -> pool.addConnectionPoolListener(events))
                .applyToServerSettings(server -> server.addServerMonitorListener(events))
                .addCommandListener(events);
    }

    public int connections() {
        return connections.get();
    }

    public int inUse() {
        return inUse.get();
    }

    public int waiting() {
        return waiting.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int maxSize() {
        return maxSize.get();
    }

    public int minSize() {
        return minSize.get();
    }

    /** Server cursors (queries being read, change streams) open at {@code nowMillis}; see {@link OpenCursors}. */
    public int openCursors(long nowMillis) {
        return cursors.count(nowMillis);
    }

    public long lastUsedMillis() {
        return lastUsedMillis.get();
    }

    /** Marks a use that may not reach the server yet (a database handed out). */
    public void touch() {
        lastUsedMillis.set(System.currentTimeMillis());
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        inFlight.incrementAndGet();
        touch();
        cursors.started(event.getRequestId(), event.getCommandName(), event.getCommand(),
                event.getConnectionDescription().getServerAddress());
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        // The cursor before the in-flight count: an idle check in between must see one or the other.
        cursors.succeeded(event.getRequestId(), event.getCommandName(), event.getResponse(),
                event.getConnectionDescription().getServerAddress(), System.currentTimeMillis());
        inFlight.decrementAndGet();
        touch();
        Duration threshold = slowCommandThreshold;
        if (threshold != null && event.getElapsedTime(TimeUnit.NANOSECONDS) >= threshold.toNanos()) {
            LOG.warn("mongocache pool {}: slow command {} on {} took {} ms", pool, event.getCommandName(),
                    event.getDatabaseName(), event.getElapsedTime(TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        cursors.failed(event.getRequestId(), event.getCommandName());
        inFlight.decrementAndGet();
        touch();
    }

    @Override
    public void connectionPoolCreated(ConnectionPoolCreatedEvent event) {
        maxSize.set(event.getSettings().getMaxSize());
        minSize.set(event.getSettings().getMinSize());
    }

    @Override
    public void connectionPoolCleared(ConnectionPoolClearedEvent event) {
        LOG.warn("mongocache pool {}: connection pool for {} cleared", pool, event.getServerId().getAddress());
    }

    @Override
    public void connectionCreated(ConnectionCreatedEvent event) {
        connections.incrementAndGet();
    }

    @Override
    public void connectionClosed(ConnectionClosedEvent event) {
        connections.decrementAndGet();
        if (event.getReason() == ConnectionClosedEvent.Reason.ERROR) {
            LOG.warn("mongocache pool {}: a connection to {} closed after an error", pool,
                    event.getConnectionId().getServerId().getAddress());
        }
    }

    @Override
    public void connectionCheckOutStarted(ConnectionCheckOutStartedEvent event) {
        waiting.incrementAndGet();
    }

    @Override
    public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
        waiting.decrementAndGet();
        inUse.incrementAndGet();
    }

    @Override
    public void connectionCheckOutFailed(ConnectionCheckOutFailedEvent event) {
        waiting.decrementAndGet();
        LOG.warn("mongocache pool {}: could not check out a connection ({})", pool, event.getReason());
    }

    @Override
    public void connectionCheckedIn(ConnectionCheckedInEvent event) {
        inUse.decrementAndGet();
    }

    @Override
    public void serverHearbeatStarted(com.mongodb.event.ServerHeartbeatStartedEvent event) {
        // nothing to count
    }

    @Override
    public void serverHeartbeatSucceeded(ServerHeartbeatSucceededEvent event) {
        if (heartbeatFailing) {
            heartbeatFailing = false;
            LOG.info("mongocache pool {}: server {} answers heartbeats again", pool,
                    event.getConnectionId().getServerId().getAddress());
        }
    }

    @Override
    public void serverHeartbeatFailed(ServerHeartbeatFailedEvent event) {
        if (!heartbeatFailing) {
            heartbeatFailing = true;
            LOG.warn("mongocache pool {}: heartbeat to {} failed: {}", pool,
                    event.getConnectionId().getServerId().getAddress(), event.getThrowable().getClass().getSimpleName());
        }
    }
}

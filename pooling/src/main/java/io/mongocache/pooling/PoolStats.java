package io.mongocache.pooling;

import java.util.List;

/**
 * One pool's state, from the driver's connection-pool and command events.
 *
 * @param pool the database the pool serves, or {@link MongoPools#PRIMARY}
 * @param state {@code OPEN} or {@code CLOSED}
 * @param connections connections open now, per the driver's events
 * @param inUse connections checked out now
 * @param available open connections not checked out
 * @param waitQueue threads waiting for a connection now
 * @param inFlight commands running now
 * @param openCursors server cursors open now (queries being read, change streams); they keep the pool from
 *                    auto-closing
 * @param openSessions sessions started on the pool's client and not closed; they keep the pool from auto-closing
 *                     (always 0 for the primary, which never auto-closes)
 * @param maxSize the pool's limit per server
 * @param minSize connections kept open per server
 * @param saturated whether every connection is in use or someone waits for one
 * @param databases the databases served ({@code *} for the primary: every database without its own pool)
 * @param lastUsed when a command last started or the pool was last handed out (ISO-8601)
 */
public record PoolStats(String pool, String state, int connections, int inUse, int available, int waitQueue,
        int inFlight, int openCursors, int openSessions, int maxSize, int minSize, boolean saturated,
        List<String> databases, String lastUsed) {}

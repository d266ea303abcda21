package io.mongocache.pooling;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.mongocache.common.Masking;
import io.mongocache.pooling.internal.DriverEvents;
import io.mongocache.pooling.internal.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link MongoPools} reports about its pools: statistics from the driver's connection-pool and command events
 * (per pool, totals, a bounded history of samples), how busy the pool serving a database is, per-database sizes
 * from the server, and health pings. It reads the pools; it opens, closes and registers none.
 *
 * <p>Concurrency: thread-safe. It reads the live pool map and the pools' volatile state without locking, so one
 * report may mix moments of different pools; the history is guarded by its own lock, appended by the scheduler's
 * {@link #sample()} and copied out by {@link #stats()}. Failure modes: a server that refuses {@code dbStats} or
 * {@code collStats} yields size -1 (logged at DEBUG); a ping that fails or times out is a pool reported down with
 * the error, credentials masked — health never throws for a down pool.
 */
final class PoolsMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(PoolsMonitor.class);

    private final Map<String, Pool> pools;
    private final MongoClient primary;
    private final DriverEvents primaryEvents;
    private final int historySize;
    private final Deque<PoolsStats.Sample> history = new ArrayDeque<>();

    /**
     * @param pools       the separate pools by database, read live (never changed here)
     * @param historySize how many samples {@link #stats()} keeps
     */
    PoolsMonitor(Map<String, Pool> pools, MongoClient primary, DriverEvents primaryEvents, int historySize) {
        this.pools = pools;
        this.primary = primary;
        this.primaryEvents = primaryEvents;
        this.historySize = historySize;
    }

    /** How busy a pool is, as counted from the driver's events: waiting threads, connections in use, its limit. */
    record Usage(int waiting, int inUse, int max) {
        /** Every connection in use, or someone waiting for one. */
        boolean saturated() {
            return waiting > 0 || (max > 0 && inUse >= max);
        }

        /** How many more commands could run at once without waiting; 0 when someone waits. */
        int free() {
            return waiting > 0 ? 0 : Math.max(0, max - inUse);
        }
    }

    /** The pool serving {@code database}: its separate pool if it has one, else the primary. */
    Usage usage(String database) {
        Pool pool = pools.get(database);
        DriverEvents e = pool == null ? primaryEvents : pool.events();
        return new Usage(e.waiting(), e.inUse(), pool == null ? e.maxSize() : pool.maxConnections());
    }

    /** Every pool's statistics, the primary first, with totals and the recent history. */
    PoolsStats stats() {
        long now = System.currentTimeMillis();
        List<PoolStats> list = new ArrayList<>();
        list.add(stats(MongoPools.PRIMARY, true, primaryEvents, 0, primaryEvents.maxSize(), primaryEvents.minSize(),
                List.of("*"), now));
        for (Pool pool : pools.values()) {
            list.add(stats(pool.name(), pool.isOpen(), pool.events(), pool.openSessions(), pool.maxConnections(),
                    pool.minConnections(), List.of(pool.name()), now));
        }
        int open = 1 + (int) pools.values().stream().filter(Pool::isOpen).count();
        int connections = list.stream().mapToInt(PoolStats::connections).sum();
        int inUse = list.stream().mapToInt(PoolStats::inUse).sum();
        List<PoolsStats.Sample> samples;
        synchronized (history) {
            samples = List.copyOf(history);
        }
        return new PoolsStats(list, open, connections, inUse, samples);
    }

    private static PoolStats stats(String name, boolean open, DriverEvents e, int sessions, int max, int min,
            List<String> dbs, long now) {
        int connections = open ? Math.max(0, e.connections()) : 0;
        Usage usage = open ? new Usage(Math.max(0, e.waiting()), Math.max(0, e.inUse()), max) : new Usage(0, 0, max);
        return new PoolStats(name, open ? "OPEN" : "CLOSED", connections, usage.inUse(),
                Math.max(0, connections - usage.inUse()), usage.waiting(), open ? Math.max(0, e.inFlight()) : 0,
                open ? e.openCursors(now) : 0, sessions, max, min, usage.saturated(), dbs,
                Instant.ofEpochMilli(e.lastUsedMillis()).toString());
    }

    /** Adds the totals now to the history, dropping the oldest beyond its size. The scheduler calls it. */
    void sample() {
        PoolsStats now = stats();
        int waiting = now.pools().stream().mapToInt(PoolStats::waitQueue).sum();
        synchronized (history) {
            history.addLast(new PoolsStats.Sample(Instant.now().toString(), now.openPools(), now.connections(),
                    now.inUse(), waiting));
            while (history.size() > historySize) {
                history.removeFirst();
            }
        }
    }

    /** Size and collections (with estimated counts and sizes) of the database {@code db}, named {@code database}. */
    DatabaseStats stats(String database, MongoDatabase db) {
        long dataSize = -1;
        try {
            Document dbStats = db.runCommand(new Document("dbStats", 1));
            Number size = dbStats.get("dataSize", Number.class);
            dataSize = size == null ? -1 : size.longValue();
        } catch (RuntimeException e) {
            LOG.debug("mongocache: dbStats unavailable for {}", database, e);
        }
        List<DatabaseStats.CollectionStats> collections = new ArrayList<>();
        for (String name : db.listCollectionNames()) {
            long count = db.getCollection(name).estimatedDocumentCount();
            long size = -1;
            try {
                Number s = db.runCommand(new Document("collStats", name)).get("size", Number.class);
                size = s == null ? -1 : s.longValue();
            } catch (RuntimeException e) {
                LOG.debug("mongocache: collStats unavailable for {}.{}", database, name, e);
            }
            collections.add(new DatabaseStats.CollectionStats(name, count, size));
        }
        collections.sort(Comparator.comparing(DatabaseStats.CollectionStats::name));
        return new DatabaseStats(database, dataSize, collections);
    }

    /** The databases of the primary server with their sizes on disk. */
    List<DatabaseStats> listDatabases() {
        List<DatabaseStats> out = new ArrayList<>();
        for (Document d : primary.listDatabases()) {
            Number size = d.get("sizeOnDisk", Number.class);
            out.add(new DatabaseStats(d.getString("name"), size == null ? -1 : size.longValue(), List.of()));
        }
        return out;
    }

    /** Pings the primary and every open separate pool, each within {@code timeout}, opening none. */
    HealthReport health(Duration timeout) {
        List<HealthReport.PoolHealth> results = new ArrayList<>();
        results.add(ping(MongoPools.PRIMARY, primary, timeout));
        for (Pool pool : pools.values()) {
            MongoClient client = pool.openClient();
            if (client != null) {
                results.add(ping(pool.name(), client, timeout));
            }
        }
        return new HealthReport(results.stream().allMatch(HealthReport.PoolHealth::up), results);
    }

    private static HealthReport.PoolHealth ping(String name, MongoClient client, Duration timeout) {
        long start = System.nanoTime();
        try {
            client.getDatabase("admin").withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .runCommand(new Document("ping", 1));
            return new HealthReport.PoolHealth(name, true, (System.nanoTime() - start) / 1_000_000, null);
        } catch (RuntimeException e) {
            String message = e.getClass().getSimpleName() + ": " + Masking.inText(String.valueOf(e.getMessage()));
            return new HealthReport.PoolHealth(name, false, (System.nanoTime() - start) / 1_000_000, message);
        }
    }
}

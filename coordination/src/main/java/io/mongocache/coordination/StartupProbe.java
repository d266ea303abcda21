package io.mongocache.coordination;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongocache.MongoCacheConfigurationException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link Coordinator.Builder#start()} asks the deployment before it starts, in one probe bounded by one budget
 * (5 s) in all: a ping of the state database, which the driver refuses for a server older than MongoDB 4.2 (no
 * {@code $$NOW}, by whose clock leases and heartbeats are judged), then — when change streams are required — opening
 * and closing the stream the leader would open first. A deployment that does not answer the ping is not asked the
 * second question (it would only spend the budget again): one WARN, and the elector and the watcher find out later.
 * The decision is pure over {@link Deployment}, so it is tested with fakes; {@link #of} asks a real one.
 */
final class StartupProbe {
    private static final Logger LOG = LoggerFactory.getLogger(StartupProbe.class);

    /** The whole probe's bound. */
    static final Duration BUDGET = Duration.ofSeconds(5);

    /** The two questions, each bounded by the milliseconds it is given. */
    interface Deployment {
        /** Pings the state database; throws the driver's exception. */
        void ping(long timeoutMillis);

        /**
         * Opens and closes the first stream: the server's reason if it cannot open one, null if it opened or the
         * outcome says nothing about it (a timeout, an unreachable server).
         */
        @Nullable String streamRefusal(long timeoutMillis);
    }

    private StartupProbe() {}

    /**
     * Why the coordinator must not start on this deployment, naming the setting at fault, or null.
     *
     * @param scope the watch scope, null if nothing is watched
     */
    static @Nullable MongoCacheConfigurationException refusal(Deployment deployment, String stateDatabase,
            @Nullable WatchScope scope, boolean requireChangeStreams, LongSupplier nanoClock) {
        long deadline = nanoClock.getAsLong() + BUDGET.toNanos();
        try {
            deployment.ping(BUDGET.toMillis());
        } catch (com.mongodb.MongoIncompatibleDriverException e) {
            return new MongoCacheConfigurationException("stateDatabase('" + stateDatabase + "'): the Coordinator needs "
                    + "MongoDB 4.2 or newer (leases and node heartbeats are judged by the server's clock, $$NOW); the "
                    + "driver refused this deployment: " + e.getMessage());
        } catch (com.mongodb.MongoException e) {
            LOG.warn("mongocache: could not reach the state database '{}' to check the server{} ({}); starting, the "
                    + "elector will tell", stateDatabase, scope != null && requireChangeStreams
                            ? " and its change streams" : "", e.toString());
            return null;
        }
        if (scope == null || !requireChangeStreams) {
            return null;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - nanoClock.getAsLong());
        if (left <= 0) {
            LOG.warn("mongocache: the state database answered too slowly to check change streams within {}; "
                    + "starting, the watcher will tell", BUDGET);
            return null;
        }
        String refused = deployment.streamRefusal(left);
        if (refused == null) {
            return null;
        }
        return new MongoCacheConfigurationException("watch(" + scope + "): a change stream cannot open on this "
                + "deployment (the server said " + refused + "). Change streams need a replica set or a sharded "
                + "cluster (a standalone mongod has none) and the changeStream privilege; without them writes by "
                + "other programs stay cached up to their TTL. To start anyway, set "
                + "Coordinator.Builder.requireChangeStreams(false)");
    }

    /**
     * The deployment behind {@code client}. The stream opened is the scope's first collection outside the state
     * collections, else its first database: the deployment is asked, not its topology, since a server without
     * {@code setName} may still have streams (the in-process test server with its oplog).
     */
    static Deployment of(MongoClient client, String stateDatabase, @Nullable WatchScope scope) {
        return new Deployment() {
            @Override
            public void ping(long timeoutMillis) {
                client.getDatabase(stateDatabase).withTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .runCommand(new Document("ping", 1));
            }

            @Override
            public @Nullable String streamRefusal(long timeoutMillis) {
                if (scope == null) {
                    return null;
                }
                MongoNamespace first = scope.namespaces().stream()
                        .filter(ns -> !ChangeStreamWatcher.isStateCollection(stateDatabase, ns)).findFirst()
                        .orElse(null);
                MongoDatabase db = client.getDatabase(first != null ? first.getDatabaseName()
                        : scope.databaseNames().get(0)).withTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
                try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor =
                        (first != null ? db.getCollection(first.getCollectionName()).watch() : db.watch()).cursor()) {
                    return null;
                } catch (com.mongodb.MongoException e) {
                    if (ChangeStreamErrors.classify(e) == ChangeStreamErrors.Kind.CANNOT_OPEN) {
                        return ChangeStreamErrors.reason(e);
                    }
                    LOG.warn("mongocache: could not check whether change streams open ({}); starting, the watcher "
                            + "will tell", e.toString());
                    return null;
                }
            }
        };
    }
}

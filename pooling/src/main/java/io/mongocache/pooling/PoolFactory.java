package io.mongocache.pooling;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClients;
import com.mongodb.connection.ConnectionPoolSettings;
import io.mongocache.common.Masking;
import io.mongocache.pooling.internal.DriverEvents;
import io.mongocache.pooling.internal.Pool;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Makes every client's settings, in the one order the README promises: the base {@code MongoClientSettings}, then
 * a connection string (the primary's, or a pool's own), then a pool's own changes, then its limits, with the
 * listeners behind statistics and open-cursor tracking added after the user's. Also makes the (unopened)
 * {@link Pool} of a separate pool, so a pool's changes run, and fail, when it is configured rather than when it
 * opens.
 *
 * <p>Concurrency: immutable, so thread-safe; each call builds fresh settings.
 */
final class PoolFactory {
    private final MongoClientSettings baseSettings;
    private final @Nullable String primaryUri;
    private final @Nullable Duration slowCommandThreshold;

    PoolFactory(MongoClientSettings baseSettings, @Nullable String primaryUri, @Nullable Duration slowCommandThreshold) {
        this.baseSettings = baseSettings;
        this.primaryUri = primaryUri;
        this.slowCommandThreshold = slowCommandThreshold;
    }

    /** Statistics and slow-command logging of the primary pool. */
    DriverEvents primaryEvents() {
        return new DriverEvents(MongoPools.PRIMARY, slowCommandThreshold);
    }

    /** The primary's settings: the base, its connection string, its limit if set (0: leave it), and its events. */
    MongoClientSettings primarySettings(int maxConnections, DriverEvents events) {
        MongoClientSettings.Builder settings = withConnectionString(primaryUri);
        if (maxConnections > 0) {
            settings.applyToConnectionPoolSettings(pool -> pool.maxSize(maxConnections));
        }
        return DriverEvents.addedTo(settings, events).build();
    }

    /**
     * A separate pool for {@code name}, not open yet: the base settings, its own connection string or else the
     * primary's, then its own changes, which must leave the pool's size to its options.
     *
     * @throws IllegalArgumentException if the options are null, or their client settings changes throw or set a
     *     pool size other than their {@code maxConnections}/{@code minConnections}
     */
    Pool newPool(String name, PoolOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        MongoClientSettings.Builder builder = withConnectionString(options.uri() != null ? options.uri() : primaryUri);
        Consumer<MongoClientSettings.Builder> changes = options.clientSettings();
        MongoClientSettings settings;
        if (changes == null) {
            settings = builder.build();
        } else {
            ConnectionPoolSettings before = builder.build().getConnectionPoolSettings();
            try {
                changes.accept(builder);
                settings = builder.build();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("clientSettings of database '" + name + "' failed: "
                        + e.getClass().getSimpleName() + ": " + Masking.inText(String.valueOf(e.getMessage())), e);
            }
            ConnectionPoolSettings after = settings.getConnectionPoolSettings();
            requireSizeFromOptions(name, "maxSize", before.getMaxSize(), after.getMaxSize(), "maxConnections",
                    options.maxConnections());
            requireSizeFromOptions(name, "minSize", before.getMinSize(), after.getMinSize(), "minConnections",
                    options.minConnections());
        }
        return new Pool(name, settings, target(settings), options.maxConnections(), options.minConnections(),
                options.autoClose() ? options.idleTtl() : null, slowCommandThreshold, MongoClients::create);
    }

    /** The base settings with a connection string (if any) applied on top. */
    private MongoClientSettings.Builder withConnectionString(@Nullable String uri) {
        MongoClientSettings.Builder settings = MongoClientSettings.builder(baseSettings);
        if (uri != null) {
            settings.applyConnectionString(new ConnectionString(uri));
        }
        return settings;
    }

    /** A pool size set in a pool's client settings changes would be overridden by its options: refuse it. */
    private static void requireSizeFromOptions(String database, String setting, int before, int after,
            String option, int fromOptions) {
        if (after != before && after != fromOptions) {
            throw new IllegalArgumentException("clientSettings of database '" + database + "' sets the pool's "
                    + setting + " to " + after + ", but PoolOptions." + option + " (" + fromOptions
                    + ") decides it: use PoolOptions.builder()." + option + "(" + after + ")");
        }
    }

    /** Where a client connects, for log lines: hosts or the SRV host, never credentials. */
    private static String target(MongoClientSettings settings) {
        String srvHost = settings.getClusterSettings().getSrvHost();
        return srvHost != null ? "mongodb+srv://" + srvHost : settings.getClusterSettings().getHosts().toString();
    }
}

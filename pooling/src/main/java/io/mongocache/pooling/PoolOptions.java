package io.mongocache.pooling;

import com.mongodb.MongoClientSettings;
import com.mongodb.annotations.Immutable;
import io.mongocache.common.Checks;
import io.mongocache.common.Masking;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Settings of one separate connection pool (its own {@code MongoClient}). Built with {@link #builder()}; every
 * setter validates, {@link Builder#build()} validates the whole.
 *
 * <p>The pool's client settings are made in this order: the {@code MongoPools} base settings
 * ({@link MongoPools.Builder#clientSettings} or {@link MongoPools.Builder#primary(MongoClientSettings)}), then this
 * pool's {@link Builder#uri connection string} or else the primary's, then {@link Builder#clientSettings this
 * pool's changes}, then {@link #maxConnections()} and {@link #minConnections()}, then the listeners that feed
 * {@code MongoPools}' statistics (added after the user's, never instead of them).
 */
@Immutable
public final class PoolOptions {
    private final @Nullable String uri;
    private final int maxConnections;
    private final int minConnections;
    private final @Nullable Boolean coldStart;
    private final boolean autoClose;
    private final @Nullable Duration idleTtl;
    private final @Nullable Consumer<MongoClientSettings.Builder> clientSettings;

    private PoolOptions(Builder b) {
        this.uri = b.uri;
        this.maxConnections = b.maxConnections;
        this.minConnections = b.minConnections;
        this.coldStart = b.coldStart;
        this.autoClose = b.autoClose;
        this.idleTtl = b.idleTtl;
        this.clientSettings = b.clientSettings;
    }

    /** Defaults: the primary's URI, at most 10 connections, none kept open, cold start as configured globally. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options with every default. */
    public static PoolOptions defaults() {
        return builder().build();
    }

    /** The connection string of this pool, or null for the primary's. Contains credentials: never log it. */
    public @Nullable String uri() {
        return uri;
    }

    /** At most this many connections per server (default 10); decides the pool's size over any client settings. */
    public int maxConnections() {
        return maxConnections;
    }

    /** At least this many connections kept open per server (default 0). */
    public int minConnections() {
        return minConnections;
    }

    /** This pool's changes to the base client settings, or null for none. */
    public @Nullable Consumer<MongoClientSettings.Builder> clientSettings() {
        return clientSettings;
    }

    /** True: connect on first use; false: at build time (or when configured); null: the global setting. */
    public @Nullable Boolean coldStart() {
        return coldStart;
    }

    public boolean autoClose() {
        return autoClose;
    }

    /** How long the pool may stay unused before it closes itself (only with {@link #autoClose()}). */
    public @Nullable Duration idleTtl() {
        return idleTtl;
    }

    @Override
    public String toString() {
        return "PoolOptions{uri=" + (uri == null ? "primary" : Masking.connectionString(uri))
                + ", maxConnections=" + maxConnections + ", minConnections=" + minConnections + ", coldStart="
                + coldStart + ", autoClose=" + autoClose + ", idleTtl=" + idleTtl + ", clientSettings="
                + (clientSettings == null ? "base" : "base with changes") + '}';
    }

    /** Builds {@link PoolOptions}. */
    public static final class Builder {
        private @Nullable String uri;
        private int maxConnections = 10;
        private int minConnections;
        private @Nullable Boolean coldStart;
        private boolean autoClose;
        private @Nullable Duration idleTtl;
        private @Nullable Consumer<MongoClientSettings.Builder> clientSettings;

        private Builder() {}

        /**
         * The pool's own connection string, applied on top of the base client settings instead of the primary's;
         * default: the primary's (if the primary was given as one).
         *
         * @throws IllegalArgumentException if malformed (the message masks credentials)
         */
        public Builder uri(String uri) {
            this.uri = ConnectionStrings.validated("uri", uri);
            return this;
        }

        /**
         * Changes to the base client settings for this pool only, e.g. its own codec registry, listeners, TLS or
         * credentials: {@code clientSettings(s -> s.codecRegistry(reportsCodecs))}. Applied on top of the base
         * settings and the connection string, so what it does not touch stays as there; listeners it adds join the
         * base's. It runs once, when the pool is configured (at {@code build()}, {@code configure} or
         * {@code connect}), where its failures surface. The pool's size is {@link #maxConnections} and
         * {@link #minConnections}: changes that set a different one are refused there. Default: none.
         *
         * @throws IllegalArgumentException if {@code changes} is null
         */
        public Builder clientSettings(Consumer<MongoClientSettings.Builder> changes) {
            if (changes == null) {
                throw new IllegalArgumentException("clientSettings must not be null");
            }
            this.clientSettings = changes;
            return this;
        }

        /**
         * At most this many connections per server. Default 10.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1 but was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * At least this many connections kept open per server. Default 0.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder minConnections(int min) {
            if (min < 0) {
                throw new IllegalArgumentException("minConnections must be >= 0 but was " + min);
            }
            this.minConnections = min;
            return this;
        }

        /** Connect on first use (true) or at once (false); default: the global setting. */
        public Builder coldStart(boolean coldStart) {
            this.coldStart = coldStart;
            return this;
        }

        /**
         * Close the pool after it has been unused for {@code idleTtl}; the next use reopens it.
         *
         * @throws IllegalArgumentException if the TTL is null, zero or negative
         */
        public Builder autoClose(Duration idleTtl) {
            this.idleTtl = Checks.positive("idleTtl", idleTtl);
            this.autoClose = true;
            return this;
        }

        /** Sets the idle TTL alone; {@link #build()} rejects it unless auto-close is on. */
        public Builder idleTtl(Duration idleTtl) {
            this.idleTtl = idleTtl;
            return this;
        }

        /** Turns auto-close off (the default). */
        public Builder noAutoClose() {
            this.autoClose = false;
            return this;
        }

        /**
         * @throws IllegalArgumentException if minConnections > maxConnections, or a TTL is set with auto-close off
         */
        public PoolOptions build() {
            if (minConnections > maxConnections) {
                throw new IllegalArgumentException("minConnections (" + minConnections
                        + ") must be <= maxConnections (" + maxConnections + ")");
            }
            if (!autoClose && idleTtl != null) {
                throw new IllegalArgumentException("idleTtl is set (" + idleTtl
                        + ") but autoClose is off: use autoClose(ttl)");
            }
            return new PoolOptions(this);
        }
    }
}

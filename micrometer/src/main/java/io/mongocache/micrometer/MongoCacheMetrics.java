package io.mongocache.micrometer;

import com.mongodb.annotations.NotThreadSafe;
import com.mongodb.annotations.ThreadSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongocache.MongoCache;
import io.mongocache.common.Checks;
import io.mongocache.coordination.Coordinator;
import io.mongocache.pooling.MongoPools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for a {@link MongoCache} — and, when given, its {@link Coordinator} and {@link MongoPools} — in
 * any {@link MeterRegistry}, with or without Spring:
 *
 * <pre>{@code
 * MongoCacheMetrics.builder(cache).name("main").build().bindTo(registry);
 * }</pre>
 *
 * <p>Every meter reads the live statistics ({@code cache.stats()}, {@code pools.stats()},
 * {@code coordinator.status()}) when the registry reads it, through a snapshot shared by all meters and taken again
 * once it is older than {@code snapshotMaxAge} (1 s): one registry read of several dozen meters costs one
 * {@code stats()} call. Every meter carries {@code cache=<name>}; the names, tags and meanings are in the README
 * ("Metrics (Micrometer)"). Meters hold the cache, the pools and the coordinator weakly, as Micrometer's own binders
 * do.
 *
 * <p>{@code mongocache-pooling} and {@code mongocache-coordination} are optional dependencies of this module: with
 * the cache alone on the class path this class loads and binds, and the classes that read pools or a coordinator
 * are loaded only when {@link Builder#pools} or {@link Builder#coordinator} is called.
 */
@ThreadSafe
public final class MongoCacheMetrics implements MeterBinder {
    /** The {@code cache} tag's value unless {@link Builder#name} sets another. */
    public static final String DEFAULT_NAME = "mongocache";

    /** Tag keys of the meters themselves, which {@link Builder#tags} may not use. */
    private static final Set<String> RESERVED_TAG_KEYS =
            Set.of("cache", "namespace", "database", "result", "tier", "state", "direction", "outcome");

    private final String name;
    private final Tags common;
    /** The cache's meters first, then the pools' and the coordinator's: never typed by their optional classes. */
    private final List<MeterBinder> parts;

    private MongoCacheMetrics(String name, Tags common, List<MeterBinder> parts) {
        this.name = name;
        this.common = common;
        this.parts = List.copyOf(parts);
    }

    /**
     * Starts the meters of {@code cache}.
     *
     * @throws IllegalArgumentException if {@code cache} is null
     */
    public static Builder builder(MongoCache cache) {
        return new Builder(Checks.notNull("cache", cache));
    }

    /**
     * Registers every meter with {@code registry}. Meters of namespaces (with {@link Builder#namespaceTags}) and of
     * pools appear as the statistics show them.
     *
     * @throws IllegalStateException if meters of a cache of this name and these tags are already bound to
     *     {@code registry} (they would silently be the same meters)
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Checks.notNull("registry", registry);
        if (registry.find("cache.puts").tags(common).meter() != null) {
            throw new IllegalStateException("a cache named '" + name + "' with tags " + common + " is already bound "
                    + "to this registry: meters of the same name and tags are one meter, so give each cache its own "
                    + "name (MongoCacheMetrics.Builder.name) and bind each once");
        }
        for (MeterBinder part : parts) {
            part.bindTo(registry);
        }
    }

    @Override
    public String toString() {
        return "MongoCacheMetrics{" + common + "}";
    }

    /**
     * Configures a {@link MongoCacheMetrics}. Every setter validates its argument; {@link #build()} checks the whole.
     */
    @NotThreadSafe
    public static final class Builder {
        private final MongoCache cache;
        private String name = DEFAULT_NAME;
        private Tags tags = Tags.empty();
        private int namespaceTags;
        private @Nullable MongoPools pools;
        private int poolTags = 100;
        private boolean poolTagsSet;
        private @Nullable Coordinator coordinator;
        private Duration snapshotMaxAge = Duration.ofSeconds(1);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(MongoCache cache) {
            this.cache = cache;
        }

        /**
         * The value of the {@code cache} tag every meter carries. Default {@value MongoCacheMetrics#DEFAULT_NAME};
         * caches bound to one registry need names of their own.
         *
         * @throws IllegalArgumentException if null or blank
         */
        public Builder name(String name) {
            Checks.notNull("name", name);
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Tags added to every meter, as key/value pairs (e.g. {@code "region", "eu"}). Default none.
         *
         * @throws IllegalArgumentException if null, of an odd count, or using a key the meters use themselves
         *     ({@code cache}, {@code namespace}, {@code database}, {@code result}, {@code tier}, {@code state},
         *     {@code direction}, {@code outcome})
         */
        public Builder tags(String... keyValues) {
            Checks.notNull("tags", keyValues);
            if (keyValues.length % 2 != 0) {
                throw new IllegalArgumentException("tags must be key/value pairs, but " + keyValues.length
                        + " strings were given");
            }
            return tags(Tags.of(keyValues));
        }

        /**
         * Tags added to every meter. Default none.
         *
         * @throws IllegalArgumentException if null or using a key the meters use themselves (see
         *     {@link #tags(String...)})
         */
        public Builder tags(Iterable<Tag> tags) {
            Checks.notNull("tags", tags);
            for (Tag tag : tags) {
                if (RESERVED_TAG_KEYS.contains(tag.getKey())) {
                    throw new IllegalArgumentException("tags must not use the key '" + tag.getKey() + "', which the "
                            + "meters use themselves (" + RESERVED_TAG_KEYS + ")");
                }
            }
            this.tags = this.tags.and(tags);
            return this;
        }

        /**
         * How many namespaces ({@code db.coll}) get series of their own, under a {@code namespace} tag: the first
         * {@code max} seen; all others are summed under {@code namespace=(other)}. Default 0: no {@code namespace}
         * tag, the cache's totals only. At most the cache's {@code maxTrackedNamespaces}: a namespace the core's
         * statistics table no longer holds reads as zero (a counter reset) until it is used again.
         *
         * @throws IllegalArgumentException if negative or above the cache's {@code maxTrackedNamespaces}
         */
        public Builder namespaceTags(int max) {
            int tracked = cache.config().maxTrackedNamespaces();
            if (max < 0 || max > tracked) {
                throw new IllegalArgumentException("namespaceTags must be between 0 and the cache's "
                        + "maxTrackedNamespaces (" + tracked + ") but was " + max);
            }
            this.namespaceTags = max;
            return this;
        }

        /**
         * Also binds the connection gauges of {@code pools}.
         *
         * @throws IllegalArgumentException if null, or pools were already set
         */
        public Builder pools(MongoPools pools) {
            this.pools = once("pools", this.pools, pools);
            return this;
        }

        /**
         * How many pools get series of their own, under a {@code database} tag (the primary pool is
         * {@code (primary)} and comes first); all others are summed under {@code database=(other)}. Default 100;
         * 0: no {@code database} tag, totals only. Needs {@link #pools}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder poolTags(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("poolTags must be >= 0 but was " + max);
            }
            this.poolTags = max;
            this.poolTagsSet = true;
            return this;
        }

        /**
         * Also binds the meters of {@code coordinator} (leadership, watcher, delegation).
         *
         * @throws IllegalArgumentException if null, or a coordinator was already set
         */
        public Builder coordinator(Coordinator coordinator) {
            this.coordinator = once("coordinator", this.coordinator, coordinator);
            return this;
        }

        /** {@code value}, checked not null and set only once: a second object would not replace the first quietly. */
        private static <T> T once(String parameter, @Nullable Object current, @Nullable T value) {
            T checked = Checks.notNull(parameter, value);
            if (current != null) {
                throw new IllegalArgumentException(parameter + " was already set");
            }
            return checked;
        }

        /**
         * How old a statistics snapshot may be before a meter's read takes a new one. Default 1 s; zero: every read
         * takes one (each {@code stats()} call builds a map of every tracked namespace).
         *
         * @throws IllegalArgumentException if null or negative
         */
        public Builder snapshotMaxAge(Duration maxAge) {
            Checks.notNull("snapshotMaxAge", maxAge);
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("snapshotMaxAge must be zero or positive but was " + maxAge);
            }
            this.snapshotMaxAge = maxAge;
            return this;
        }

        /**
         * The clock that ages snapshots ({@link #snapshotMaxAge}). Default {@code System::nanoTime}; tests drive
         * their own.
         *
         * @throws IllegalArgumentException if null
         */
        public Builder nanoClock(LongSupplier clock) {
            this.nanoClock = Checks.notNull("nanoClock", clock);
            return this;
        }

        /**
         * The binder, ready for {@link MongoCacheMetrics#bindTo}.
         *
         * @throws IllegalArgumentException if {@link #poolTags} was set without {@link #pools}
         */
        public MongoCacheMetrics build() {
            if (poolTagsSet && pools == null) {
                throw new IllegalArgumentException("poolTags(" + poolTags + ") was set but no pools were given "
                        + "(Builder.pools)");
            }
            Tags common = Tags.of("cache", name).and(tags);
            MeterSettings settings = new MeterSettings(common, snapshotMaxAge.toNanos(), nanoClock);
            List<MeterBinder> parts = new ArrayList<>();
            parts.add(new CacheMeters<>(cache, MongoCache::stats, namespaceTags, settings));
            if (pools != null) {
                parts.add(new PoolMeters(pools, poolTags, settings));
            }
            if (coordinator != null) {
                parts.add(new CoordinatorMeters(coordinator, settings));
            }
            return new MongoCacheMetrics(name, common, parts);
        }
    }
}

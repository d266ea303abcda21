package io.mongocache;

import io.mongocache.common.Checks;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Per-call control of the cache for code that does not build the query itself — a repository, a template, a
 * library: the reads this thread makes through any cached collection while a scope is open bypass the cache
 * ({@link #noCache()}) or, when they load, cache their result for the scope's lifetime ({@link #ttl}).
 * The Spring starter's {@code @NoCache} and {@code @CacheTtl} open these scopes around a method.
 *
 * <pre>{@code
 * try (CacheHints.Scope s = CacheHints.noCache()) {
 *     orders.findRecent(customer);          // every read inside goes to MongoDB
 * }
 * List<Order> fresh = CacheHints.withTtl(Duration.ofSeconds(30), () -> orders.findRecent(customer));
 * }</pre>
 *
 * <p>Rules: a query's own {@code noCache()}/{@code cacheTTL} wins over a scope's TTL (the code closest to the read
 * decides), while a {@code noCache} scope bypasses every read inside it. Scopes nest: the innermost setting of each
 * kind applies, and closing a scope restores what was in force when it opened. A TTL scope changes how long a result
 * loaded inside it lives; a result already cached is served as it is. Writes are unaffected: they invalidate as
 * always. Scopes are per thread: work handed to another thread does not carry them.
 *
 * <p>Concurrency: one thread-local frame per thread; a scope must be closed on the thread that opened it.
 */
public final class CacheHints {
    private static final ThreadLocal<@Nullable Frame> CURRENT = new ThreadLocal<>();

    private CacheHints() {}

    /** Opens a scope in which this thread's reads bypass the cache. Close it (try-with-resources). */
    public static Scope noCache() {
        return open(true, null);
    }

    /**
     * Opens a scope in which results this thread's reads load are cached for {@code ttl} (unless the query sets
     * {@code cacheTTL} itself). Close it (try-with-resources).
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative
     */
    public static Scope ttl(Duration ttl) {
        return open(false, Checks.positive("ttl", ttl));
    }

    /** Runs {@code body} in a {@link #noCache()} scope and returns its result. */
    public static <T> T noCache(Supplier<T> body) {
        Checks.notNull("body", body);
        try (Scope ignored = noCache()) {
            return body.get();
        }
    }

    /**
     * Runs {@code body} in a {@link #ttl(Duration)} scope and returns its result.
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative, or {@code body} is null
     */
    public static <T> T withTtl(Duration ttl, Supplier<T> body) {
        Checks.notNull("body", body);
        try (Scope ignored = ttl(ttl)) {
            return body.get();
        }
    }

    /** Whether this thread is inside a {@link #noCache()} scope. */
    public static boolean noCacheActive() {
        Frame f = CURRENT.get();
        return f != null && f.noCache;
    }

    /** The TTL of the innermost {@link #ttl(Duration)} scope open on this thread, or null. */
    public static @Nullable Duration currentTtl() {
        Frame f = CURRENT.get();
        return f == null ? null : f.ttl;
    }

    private static Scope open(boolean noCache, @Nullable Duration ttl) {
        Frame previous = CURRENT.get();
        boolean inheritedNoCache = previous != null && previous.noCache;
        Duration inheritedTtl = previous == null ? null : previous.ttl;
        Frame frame = new Frame(noCache || inheritedNoCache, ttl != null ? ttl : inheritedTtl, previous);
        CURRENT.set(frame);
        return new Scope(frame);
    }

    private record Frame(boolean noCache, @Nullable Duration ttl, @Nullable Frame previous) {}

    /** An open scope; {@link #close()} restores the settings in force when it opened. */
    public static final class Scope implements AutoCloseable {
        private final Frame frame;
        private boolean closed;

        private Scope(Frame frame) {
            this.frame = frame;
        }

        /**
         * Restores the settings in force when this scope opened. Closing twice does nothing.
         *
         * @throws IllegalStateException if called on another thread than the one that opened it, or while a scope
         *     opened inside this one is still open (scopes must close innermost first)
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (CURRENT.get() != frame) {
                throw new IllegalStateException("CacheHints scopes close innermost first, on the thread that opened "
                        + "them: this one is not the current scope of " + Thread.currentThread().getName());
            }
            closed = true;
            if (frame.previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(frame.previous);
            }
        }
    }
}

package io.mongocache.internal;

import com.mongodb.Function;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoIterable;
import io.mongocache.common.Checks;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Collation;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bson.BsonValue;
import org.bson.codecs.Decoder;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * What the cached iterables share: the terminals ({@code iterator}, {@code cursor}, {@code first}, {@code into},
 * {@code forEach}, {@code map}, {@code spliterator}), and the options every one of them has — {@code noCache},
 * {@code cacheTTL}, {@code batchSize}, {@code maxTime}, {@code timeoutMode}, {@code comment} (passed to MongoDB, not
 * in the key) and {@code collation}, {@code hint}, {@code hintString} (in the key, through
 * {@link #collationAndHints}). A subclass records its own options, builds the key, loads raw BSON from MongoDB,
 * and builds the equivalent driver iterable for reads that bypass the cache. Options only some iterables have
 * ({@code let}, {@code maxAwaitTime}, {@code allowDiskUse}) stay in those: a public setter here would silently
 * implement the method should a newer driver add it to another iterable, without passing it to MongoDB.
 *
 * <p>Not thread-safe, like the driver's iterables: build and consume one on one thread.
 *
 * @param <T> the result class
 * @param <S> the subclass, which the fluent setters return
 */
abstract class AbstractCachedIterable<T, S extends AbstractCachedIterable<T, S>>
        implements MongoIterable<T>, DispatchTarget {

    /** A call of a method this library does not know, replayed on the driver iterable. */
    record Invocation(Method method, @Nullable Object[] arguments) {}

    /**
     * A driver iterable's setters of the shared options: each driver iterable declares them, in no common
     * interface, so each subclass names its own once.
     */
    record OptionSetters<I>(BiConsumer<I, Long> maxTimeNanos, BiConsumer<I, Collation> collation,
            BiConsumer<I, String> comment, BiConsumer<I, BsonValue> commentValue, BiConsumer<I, Bson> hint,
            BiConsumer<I, String> hintString, BiConsumer<I, TimeoutMode> timeoutMode) {}

    final CachedCollectionImpl<?> owner;
    final Class<T> resultClass;
    private boolean noCache;
    private @Nullable Duration ttl;
    private @Nullable Integer batchSize;
    /** The operation's {@code maxTime} in nanoseconds; -1: not set. */
    private long maxTimeNanos = -1;
    /** In the key ({@link #collationAndHints}); the collation also decides which reads are precise. */
    @Nullable Collation collation;
    private @Nullable Bson hint;
    private @Nullable String hintString;
    private @Nullable String commentString;
    private @Nullable BsonValue commentValue;
    private @Nullable TimeoutMode timeoutMode;
    private @Nullable List<Invocation> unknownCalls;

    AbstractCachedIterable(CachedCollectionImpl<?> owner, Class<T> resultClass) {
        this.owner = owner;
        this.resultClass = resultClass;
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** The driver iterable for the caller's result class with every recorded option applied. */
    abstract MongoIterable<T> typed();

    /** The key of this read, or null when it must bypass the cache. {@code first}: the key of {@code first()}. */
    abstract @Nullable CacheKey key(boolean first);

    /** Runs the read on MongoDB as raw BSON, buffering at most {@code capBytes}. */
    abstract ReadResult load(boolean first, long capBytes);

    /**
     * For refresh-ahead: builds, when called (on the reading thread), a loader that runs this read later on
     * another thread without touching this iterable. Null: this read is not reloaded in the background.
     */
    java.util.function.@Nullable Supplier<Loader> reloader(boolean first) {
        return null;
    }

    /** Decodes one cached element. */
    abstract Decoder<T> decoder();

    /** Whether {@code first()} is its own query (find: a single-batch limit -1) rather than the first element. */
    boolean hasOwnFirstQuery() {
        return false;
    }

    /** Runs a read that bypasses the cache; subclasses whose reads can write (aggregate $out) invalidate here. */
    <R> R executeUncached(Supplier<R> execution) {
        return execution.get();
    }

    /** Applies the unknown calls, in order, to the driver iterable. */
    final void replayUnknownCalls(Object driverIterable) {
        List<Invocation> calls = unknownCalls;
        if (calls == null) {
            return;
        }
        for (Invocation call : calls) {
            try {
                ProxyClasses.invoke(call.method(), driverIterable, call.arguments());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /**
     * Sets the shared options on a driver iterable ({@code setters}: that iterable's own); the subclass sets its own
     * options, then replays the unknown calls ({@link #replayUnknownCalls}).
     */
    final <I extends MongoIterable<?>> I applyShared(I driverIterable, OptionSetters<? super I> setters) {
        if (maxTimeNanos >= 0) {
            setters.maxTimeNanos().accept(driverIterable, maxTimeNanos);
        }
        if (batchSize != null) {
            driverIterable.batchSize(batchSize);
        }
        if (collation != null) {
            setters.collation().accept(driverIterable, collation);
        }
        if (commentString != null) {
            setters.comment().accept(driverIterable, commentString);
        }
        if (commentValue != null) {
            setters.commentValue().accept(driverIterable, commentValue);
        }
        if (hint != null) {
            setters.hint().accept(driverIterable, hint);
        }
        if (hintString != null) {
            setters.hintString().accept(driverIterable, hintString);
        }
        if (timeoutMode != null) {
            setters.timeoutMode().accept(driverIterable, timeoutMode);
        }
        return driverIterable;
    }

    /** Adds the shared options that can change the result to a key, in this order: collation, hint, hintString. */
    final KeyBuilder collationAndHints(KeyBuilder key, Class<?> documentClass, CodecRegistry registry) {
        return key.value("collation", collation == null ? null : collation.asDocument())
                .bson("hint", hint, documentClass, registry)
                .string("hintString", hintString);
    }

    /** Whether a collation or a hint is set (a read delegate runs only plain reads). */
    final boolean hasCollationOrHint() {
        return collation != null || hint != null || hintString != null;
    }

    // ---- the shared options (the driver interfaces declare them; the subclass's interface narrows S) ---------

    public S noCache() {
        noCache = true;
        return self();
    }

    public S cacheTTL(Duration ttl) {
        this.ttl = Checks.positive("ttl", ttl);
        return self();
    }

    @Override
    public S batchSize(int batchSize) {
        this.batchSize = batchSize;
        return self();
    }

    public S maxTime(long maxTime, TimeUnit timeUnit) {
        this.maxTimeNanos = TimeUnit.NANOSECONDS.convert(maxTime, timeUnit);
        return self();
    }

    public S timeoutMode(TimeoutMode timeoutMode) {
        this.timeoutMode = timeoutMode;
        return self();
    }

    public S collation(@Nullable Collation collation) {
        this.collation = collation;
        return self();
    }

    public S hint(@Nullable Bson hint) {
        this.hint = hint;
        return self();
    }

    public S hintString(@Nullable String hint) {
        this.hintString = hint;
        return self();
    }

    public S comment(@Nullable String comment) {
        this.commentString = comment;
        this.commentValue = null;
        return self();
    }

    public S comment(@Nullable BsonValue comment) {
        this.commentValue = comment;
        this.commentString = null;
        return self();
    }

    // ---- terminals ---------------------------------------------------------------------------------------------

    private @Nullable ReadResult cached(boolean first) {
        if (noCache || unknownCalls != null || !owner.cachingActive()) {
            owner.cache.recordBypass(owner.ns());
            return null;
        }
        CacheKey key = key(first);
        if (key == null) {
            owner.cache.recordBypass(owner.ns());
            return null;
        }
        return owner.cache.read(key, owner.counters(), owner.ttl(ttl),
                owner.waitLimitNanos(maxTimeNanos), cap -> load(first, cap),
                owner.cache.refreshAhead() ? reloader(first) : null);
    }

    @Override
    public MongoCursor<T> cursor() {
        ReadResult result = cached(false);
        return result == null ? executeUncached(() -> typed().cursor()) : new DecodingCursor<>(result, decoder());
    }

    @Override
    public MongoCursor<T> iterator() {
        ReadResult result = cached(false);
        return result == null ? executeUncached(() -> typed().iterator()) : new DecodingCursor<>(result, decoder());
    }

    @Override
    public void checkOpen() {
        owner.checkOpen();
    }

    @Override
    public @Nullable T first() {
        boolean own = hasOwnFirstQuery();
        ReadResult result = cached(own);
        if (result == null) {
            return executeUncached(() -> typed().first());
        }
        if (result.isComplete()) {
            // The common hit: decode the first document straight from the payload.
            byte[] payload = result.payload();
            return payload.length == 0 ? null
                    : Payloads.decode(payload, 0, Payloads.documentLength(payload, 0), decoder());
        }
        try (DecodingCursor<T> cursor = new DecodingCursor<>(result, decoder())) {
            return cursor.hasNext() ? cursor.next() : null;
        }
    }

    @Override
    public void forEach(Consumer<? super T> action) {
        try (MongoCursor<T> cursor = iterator()) {
            while (cursor.hasNext()) {
                action.accept(cursor.next());
            }
        }
    }

    @Override
    public <A extends Collection<? super T>> A into(A target) {
        forEach(target::add);
        return target;
    }

    @Override
    public <U> MongoIterable<U> map(Function<T, U> mapper) {
        return new MappingIterable<>(this, mapper);
    }

    @Override
    public Spliterator<T> spliterator() {
        return Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED);
    }

    /**
     * A method a newer driver added. If it returns the iterable type (a fluent option), it is recorded and
     * replayed on MongoDB, and the read bypasses the cache since the option may change the result. Anything
     * else runs on the equivalent driver iterable.
     */
    @Override
    public @Nullable Object dispatch(Method method, @Nullable Object[] arguments) throws Throwable {
        Class<?> returnType = method.getReturnType();
        if (returnType.isInterface() && returnType.isInstance(this) && returnType.getName().startsWith("com.mongodb.")) {
            if (unknownCalls == null) {
                unknownCalls = new ArrayList<>();
            }
            unknownCalls.add(new Invocation(method, arguments == null ? null : arguments.clone()));
            return this;
        }
        return executeUncached(() -> {
            try {
                return ProxyClasses.invoke(method, typed(), arguments);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
    }
}

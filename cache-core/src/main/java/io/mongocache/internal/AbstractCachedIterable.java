package io.mongocache.internal;

import com.mongodb.Function;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoIterable;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bson.codecs.Decoder;
import org.jspecify.annotations.Nullable;

/**
 * The terminals shared by the cached iterables ({@code iterator}, {@code cursor}, {@code first}, {@code into},
 * {@code forEach}, {@code map}, {@code spliterator}). A subclass records options, builds the key, loads raw
 * BSON from MongoDB, and builds the equivalent driver iterable for reads that bypass the cache.
 *
 * <p>Not thread-safe, like the driver's iterables: build and consume one on one thread.
 */
abstract class AbstractCachedIterable<T> implements MongoIterable<T>, DispatchTarget {

    /** A call of a method this library does not know, replayed on the driver iterable. */
    record Invocation(Method method, @Nullable Object[] arguments) {}

    final CachedCollectionImpl<?> owner;
    final Class<T> resultClass;
    boolean noCache;
    @Nullable Duration ttl;
    @Nullable Integer batchSize;
    /** The operation's {@code maxTime} in nanoseconds; -1: not set. */
    long maxTimeNanos = -1;
    @Nullable List<Invocation> unknownCalls;

    AbstractCachedIterable(CachedCollectionImpl<?> owner, Class<T> resultClass) {
        this.owner = owner;
        this.resultClass = resultClass;
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

    final void checkTtl(Duration value) {
        this.ttl = Checks.positive("ttl", value);
    }

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

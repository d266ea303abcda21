package io.mongocache.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MapReduceIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.invalidation.WriteAnalysis;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the calls of one collection view that {@link CachedCollectionImpl} leaves to the generated subclass — every
 * {@link MethodKind} that is not typed — on the driver's collection, and makes what each write changed unservable
 * before it returns, whatever its outcome: the effect its kind names ({@link WriteAnalysis}), else the namespace. A
 * call with a leading {@code ClientSession} passes it on, and a call that may write is recorded on that session
 * ({@link SessionWrites}), so {@code MongoCache.transaction} invalidates it again when the transaction ends.
 *
 * <p>Concurrency: immutable and thread-safe, like the view it belongs to. Failure modes: a write that throws still
 * invalidates (a filtered write what its filter pins, any other the namespace); an analysis that throws is logged and
 * the namespace invalidated instead — it never turns a write that succeeded into an exception.
 */
final class CollectionWrites {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionWrites.class);

    private final DefaultMongoCache cache;
    private final MongoCollection<?> delegate;
    private final String namespace;
    private final WriteAnalysis analysis;

    CollectionWrites(DefaultMongoCache cache, MongoCollection<?> delegate, String namespace) {
        this.cache = cache;
        this.delegate = delegate;
        this.namespace = namespace;
        this.analysis = cache.precise() ? WriteAnalysis.precise(namespace, delegate.getDocumentClass(),
                delegate.getCodecRegistry(), () -> cache.defaultCollation(namespace, delegate))
                : WriteAnalysis.wholeNamespace(namespace);
    }

    /** Runs a dispatched call (its arguments include a leading session, if it has one). */
    @Nullable Object run(CollectionRoutes.Route route, Object[] arguments) {
        if (route.session() && route.kind().mayWrite()) {
            return cache.sessionWrites().within((ClientSession) arguments[0], () -> runKind(route, arguments));
        }
        return runKind(route, arguments);
    }

    @SuppressWarnings("deprecation") // MapReduceIterable
    private @Nullable Object runKind(CollectionRoutes.Route route, Object[] arguments) {
        Supplier<@Nullable Object> call = () -> route.invoke(delegate, arguments);
        Object[] operands = route.operands(arguments);
        return switch (route.kind()) {
            case PASS_THROUGH_READ -> call.get();
            case FILTERED_WRITE -> filtered((Bson) operands[0],
                    FilteredOptions.of(operands.length > 1 ? operands[operands.length - 1] : null), call);
            case RESULT_WRITE -> withResult(call, result -> fromResult(operands[0], result));
            case NAMESPACE_WRITE -> wholeNamespaces(operands, call);
            case ANY_NAMESPACE_WRITE -> invalidatingEverything((MapReduceIterable<?>) call.get());
            default -> byName(route.name(), call);
        };
    }

    /**
     * Makes what a write through this view changed unservable, before the write returns. An unacknowledged write
     * ({@code w: 0}) returns when it is sent, so the server may apply it after this invalidation — and a read
     * racing it would install the old value as current: it is invalidated once more after {@code maxStaleness / 2}
     * ({@link DefaultMongoCache#invalidateAgainLater}).
     */
    void invalidateWritten(Invalidation invalidation) {
        cache.invalidate(invalidation);
        if (WriteAnalysis.returnsBeforeApplied(delegate.getWriteConcern())) {
            cache.invalidateAgainLater(invalidation);
        }
    }

    /** {@link #invalidateWritten(Invalidation)} for a whole namespace; {@code "*"} is every namespace. */
    private void invalidateWritten(String ns) {
        invalidateWritten(ns.equals("*") ? Invalidation.everything() : Invalidation.namespace(ns));
    }

    /**
     * A write that can change only what its filter matches ({@link WriteAnalysis#filtered}, under the write's own
     * collation); an upsert's effect also depends on its result ({@link WriteAnalysis#upserted}).
     */
    private @Nullable Object filtered(@Nullable Bson filter, FilteredOptions options, Supplier<@Nullable Object> call) {
        Invalidation effect = safely(() -> analysis.filtered(filter, options.collation()));
        if (options.upsert()) {
            return withResult(call, result -> analysis.upserted(effect, result));
        }
        try {
            return call.get();
        } finally {
            invalidateWritten(effect);
        }
    }

    /** A write whose effect is known from its result; if it fails, the whole namespace is invalidated. */
    private @Nullable Object withResult(Supplier<@Nullable Object> call,
            Function<@Nullable Object, Invalidation> effect) {
        Invalidation invalidation = analysis.whole();
        try {
            Object result = call.get();
            invalidation = safely(() -> effect.apply(result));
            return result;
        } finally {
            invalidateWritten(invalidation);
        }
    }

    /** Inserts change the ids their result names; a bulk write is as precise as its least precise model. */
    @SuppressWarnings("unchecked")
    private Invalidation fromResult(Object firstOperand, @Nullable Object result) {
        if (result instanceof InsertOneResult inserted) {
            return analysis.inserted(inserted);
        }
        if (result instanceof InsertManyResult inserted) {
            return analysis.insertedMany(inserted);
        }
        if (result instanceof BulkWriteResult bulk) {
            return analysis.bulk((List<? extends WriteModel<?>>) firstOperand, bulk);
        }
        return analysis.whole();
    }

    /** A write to the collection as a whole: its namespace, then any namespace it names (a rename's target). */
    private @Nullable Object wholeNamespaces(Object[] operands, Supplier<@Nullable Object> call) {
        try {
            return call.get();
        } finally {
            invalidateWritten(namespace);
            for (Object operand : operands) {
                if (operand instanceof MongoNamespace other) {
                    invalidateWritten(other.getFullName());
                }
            }
        }
    }

    /** The unknown-method rule: pass through, then invalidate the namespace unless the name reads only. */
    private @Nullable Object byName(String name, Supplier<@Nullable Object> call) {
        try {
            return call.get();
        } finally {
            if (!CollectionRoutes.READ_ONLY_NAMES.contains(name)) {
                invalidateWritten(namespace);
            }
        }
    }

    /**
     * Computes a write's effect; if the analysis itself fails, the whole namespace — a bug in the analysis must
     * never turn a write that succeeded into an exception, nor into a missed invalidation.
     */
    private Invalidation safely(Supplier<Invalidation> effect) {
        try {
            return effect.get();
        } catch (RuntimeException e) {
            LOG.warn("mongocache: could not analyse a write on {}; invalidating the namespace", namespace, e);
            return analysis.whole();
        }
    }

    /** A filtered write's own collation and whether it is an upsert, read from its options argument. */
    record FilteredOptions(@Nullable Collation collation, boolean upsert) {
        private static final FilteredOptions NONE = new FilteredOptions(null, false);

        /** The options' collation and upsert flag; none if the argument is not a filtered write's options. */
        static FilteredOptions of(@Nullable Object options) {
            if (options instanceof UpdateOptions o) {
                return new FilteredOptions(o.getCollation(), o.isUpsert());
            }
            if (options instanceof ReplaceOptions o) {
                return new FilteredOptions(o.getCollation(), o.isUpsert());
            }
            if (options instanceof FindOneAndUpdateOptions o) {
                return new FilteredOptions(o.getCollation(), o.isUpsert());
            }
            if (options instanceof FindOneAndReplaceOptions o) {
                return new FilteredOptions(o.getCollation(), o.isUpsert());
            }
            if (options instanceof DeleteOptions o) {
                return new FilteredOptions(o.getCollation(), false);
            }
            if (options instanceof FindOneAndDeleteOptions o) {
                return new FilteredOptions(o.getCollation(), false);
            }
            return NONE;
        }
    }

    /**
     * Wraps a map-reduce iterable so that every call that may execute it (anything that does not return the
     * iterable itself for chaining) invalidates the whole cache afterwards: its output target is not known
     * until it runs.
     */
    @SuppressWarnings({"unchecked", "deprecation"})
    private <R> MapReduceIterable<R> invalidatingEverything(MapReduceIterable<R> target) {
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(MapReduceIterable.class.getClassLoader(),
                new Class<?>[] {MapReduceIterable.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return ProxyClasses.invoke(method, target, args);
                    }
                    Object result;
                    try {
                        result = ProxyClasses.invoke(method, target, args);
                    } catch (Throwable t) {
                        invalidateWritten("*");
                        throw t;
                    }
                    if (result == target) {
                        return self[0];
                    }
                    invalidateWritten("*");
                    return result;
                });
        return (MapReduceIterable<R>) self[0];
    }
}

package io.mongocache.internal;

import com.mongodb.ExplainVerbosity;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import io.mongocache.CachedAggregateIterable;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.invalidation.PipelineAnalysis;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * {@code aggregate}: cached when every stage is known ({@link PipelineAnalysis}) and deterministic; the entry
 * depends on every namespace the pipeline reads. A final {@code $out}/{@code $merge} makes it a write: it runs on
 * MongoDB and its target is invalidated after it ran, whatever the outcome. Calls with a session never use the
 * cache but still invalidate a write target. Key fields: pipeline, allowDiskUse, collation, hint, hintString,
 * let. Not in the key: batchSize, maxTime, maxAwaitTime, comment, bypassDocumentValidation, timeoutMode. The
 * options every cached iterable has are {@link AbstractCachedIterable}'s.
 *
 * <p>Not thread-safe, like the driver's iterables: build and consume one on one thread.
 */
public abstract class CachedAggregateIterableImpl<T>
        extends AbstractCachedIterable<T, CachedAggregateIterableImpl<T>> implements CachedAggregateIterable<T> {

    private static final OptionSetters<AggregateIterable<?>> SHARED_OPTIONS = new OptionSetters<>(
            (it, nanos) -> it.maxTime(nanos, TimeUnit.NANOSECONDS), AggregateIterable::collation,
            AggregateIterable::comment, AggregateIterable::comment, AggregateIterable::hint,
            AggregateIterable::hintString, AggregateIterable::timeoutMode);

    private static final class Factory {
        static final MethodHandle CONSTRUCTOR = ProxyClasses.constructor(CachedAggregateIterableImpl.class,
                CachedCollectionImpl.class, ClientSession.class, List.class, Class.class);
    }

    private final @Nullable ClientSession session;
    private final List<? extends Bson> pipeline;
    private @Nullable List<BsonDocument> encodedPipeline;
    private @Nullable PipelineAnalysis analysis;
    private @Nullable Boolean allowDiskUse;
    private long maxAwaitTimeNanos = -1;
    private @Nullable Boolean bypassDocumentValidation;
    private @Nullable Bson let;

    protected CachedAggregateIterableImpl(CachedCollectionImpl<?> owner, @Nullable ClientSession session,
            List<? extends Bson> pipeline, Class<T> resultClass) {
        super(owner, resultClass);
        this.session = session;
        this.pipeline = pipeline;
    }

    @SuppressWarnings("unchecked")
    static <T> CachedAggregateIterableImpl<T> create(CachedCollectionImpl<?> owner, @Nullable ClientSession session,
            List<? extends Bson> pipeline, Class<T> resultClass) {
        try {
            return (CachedAggregateIterableImpl<T>) Factory.CONSTRUCTOR.invokeExact(owner, session,
                    (List<?>) pipeline, (Class<?>) resultClass);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private List<BsonDocument> encodedPipeline() {
        List<BsonDocument> encoded = encodedPipeline;
        if (encoded == null) {
            encoded = new ArrayList<>(pipeline.size());
            for (Bson stage : pipeline) {
                encoded.add(stage.toBsonDocument(owner.getDocumentClass(), owner.getCodecRegistry()));
            }
            encodedPipeline = encoded;
        }
        return encoded;
    }

    private PipelineAnalysis analysis() {
        PipelineAnalysis a = analysis;
        if (a == null) {
            a = PipelineAnalysis.analyze(owner.getNamespace().getDatabaseName(),
                    owner.getNamespace().getCollectionName(), encodedPipeline());
            analysis = a;
        }
        return a;
    }

    private <X> AggregateIterable<X> apply(AggregateIterable<X> it) {
        applyShared(it, SHARED_OPTIONS);
        if (allowDiskUse != null) {
            it.allowDiskUse(allowDiskUse);
        }
        if (maxAwaitTimeNanos >= 0) {
            it.maxAwaitTime(maxAwaitTimeNanos, TimeUnit.NANOSECONDS);
        }
        if (bypassDocumentValidation != null) {
            it.bypassDocumentValidation(bypassDocumentValidation);
        }
        if (let != null) {
            it.let(let);
        }
        replayUnknownCalls(it);
        return it;
    }

    @Override
    AggregateIterable<T> typed() {
        MongoCollection<?> collection = owner.delegate;
        return apply(session == null
                ? collection.aggregate(pipeline, resultClass)
                : collection.aggregate(session, pipeline, resultClass));
    }

    @Override
    @Nullable CacheKey key(boolean first) {
        if (session != null) {
            return null;
        }
        PipelineAnalysis a = analysis();
        if (!a.cacheable()) {
            return null;
        }
        var documentClass = owner.getDocumentClass();
        var registry = owner.getCodecRegistry();
        KeyBuilder key = owner.keyBuilder("aggregate", resultClass)
                .value("pipeline", new BsonArray(encodedPipeline()))
                .value("allowDiskUse", allowDiskUse == null ? null : BsonBoolean.valueOf(allowDiskUse));
        collationAndHints(key, documentClass, registry).bson("let", let, documentClass, registry);
        return key.buildIfDeterministic(a::dependencies);
    }

    @Override
    ReadResult load(boolean first, long capBytes) {
        java.util.List<RawBsonDocument> elsewhere = delegated(capBytes);
        if (elsewhere != null) {
            return Payloads.drain(new Payloads.ListCursor(elsewhere), capBytes);
        }
        return Payloads.drain(apply(owner.rawView().aggregate(pipeline, RawBsonDocument.class)).cursor(), capBytes);
    }

    /** A background reload runs a driver iterable prepared now, on a copy of the pipeline list. */
    @Override
    java.util.function.Supplier<Loader> reloader(boolean first) {
        return () -> {
            var raw = apply(owner.rawView().aggregate(java.util.List.copyOf(pipeline), RawBsonDocument.class));
            return cap -> Payloads.drain(raw.cursor(), cap);
        };
    }

    /** The result from the cache's read delegate (a peer) when only the pipeline is set, or null to run it here. */
    private java.util.@Nullable List<RawBsonDocument> delegated(long capBytes) {
        if (session != null || hasCollationOrHint() || let != null) {
            return null;
        }
        return owner.askDelegate((d, ns) -> d.aggregate(ns.getDatabaseName(), ns.getCollectionName(),
                encodedPipeline(), capBytes));
    }

    @Override
    Decoder<T> decoder() {
        return owner.decoder(resultClass);
    }

    @Override
    <R> R executeUncached(Supplier<R> execution) {
        Invalidation write = pipeline.isEmpty() ? null : analysis().write();
        if (write == null) {
            return execution.get();
        }
        try {
            return execution.get();
        } finally {
            owner.writes.invalidateWritten(write);
        }
    }

    @Override
    public void toCollection() {
        executeUncached(() -> {
            typed().toCollection();
            return null;
        });
    }

    @Override
    public CachedAggregateIterableImpl<T> allowDiskUse(@Nullable Boolean allowDiskUse) {
        this.allowDiskUse = allowDiskUse;
        return this;
    }

    @Override
    public CachedAggregateIterableImpl<T> maxAwaitTime(long maxWaitTime, TimeUnit timeUnit) {
        this.maxAwaitTimeNanos = TimeUnit.NANOSECONDS.convert(maxWaitTime, timeUnit);
        return this;
    }

    @Override
    public CachedAggregateIterableImpl<T> bypassDocumentValidation(@Nullable Boolean bypassDocumentValidation) {
        this.bypassDocumentValidation = bypassDocumentValidation;
        return this;
    }

    @Override
    public CachedAggregateIterableImpl<T> let(@Nullable Bson variables) {
        this.let = variables;
        return this;
    }

    @Override
    public Document explain() {
        return typed().explain();
    }

    @Override
    public Document explain(ExplainVerbosity verbosity) {
        return typed().explain(verbosity);
    }

    @Override
    public <E> E explain(Class<E> explainResultClass) {
        return typed().explain(explainResultClass);
    }

    @Override
    public <E> E explain(Class<E> explainResultClass, ExplainVerbosity verbosity) {
        return typed().explain(explainResultClass, verbosity);
    }
}

package io.mongocache.internal;

import com.mongodb.CursorType;
import com.mongodb.ExplainVerbosity;
import com.mongodb.client.FindIterable;
import com.mongodb.client.model.Collation;
import io.mongocache.CachedFindIterable;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * {@code find}: every option is recorded; the result-affecting ones form the key, all are replayed on MongoDB.
 * Key fields: filter, projection, sort, skip, limit, collation, hint, hintString, min, max, let, returnKey,
 * showRecordId, partial, allowDiskUse. Not in the key: batchSize, maxTime, maxAwaitTime, comment,
 * noCursorTimeout, timeoutMode. A tailable cursor type bypasses the cache. The options every cached iterable has
 * are {@link AbstractCachedIterable}'s.
 *
 * <p>Not thread-safe, like the driver's iterables: build and consume one on one thread.
 */
public abstract class CachedFindIterableImpl<T> extends AbstractCachedIterable<T, CachedFindIterableImpl<T>>
        implements CachedFindIterable<T> {

    private static final OptionSetters<FindIterable<?>> SHARED_OPTIONS = new OptionSetters<>(
            (it, nanos) -> it.maxTime(nanos, TimeUnit.NANOSECONDS), FindIterable::collation, FindIterable::comment,
            FindIterable::comment, FindIterable::hint, FindIterable::hintString, FindIterable::timeoutMode);

    private static final class Factory {
        static final MethodHandle CONSTRUCTOR = ProxyClasses.constructor(CachedFindIterableImpl.class,
                CachedCollectionImpl.class, Bson.class, Class.class);
    }

    private @Nullable Bson filter;
    private @Nullable Integer limit;
    private @Nullable Integer skip;
    private long maxAwaitTimeNanos = -1;
    private @Nullable Bson projection;
    private @Nullable Bson sort;
    private @Nullable Boolean noCursorTimeout;
    private @Nullable Boolean partial;
    private @Nullable CursorType cursorType;
    private @Nullable Bson let;
    private @Nullable Bson max;
    private @Nullable Bson min;
    private @Nullable Boolean returnKey;
    private @Nullable Boolean showRecordId;
    private @Nullable Boolean allowDiskUse;

    protected CachedFindIterableImpl(CachedCollectionImpl<?> owner, Bson filter, Class<T> resultClass) {
        super(owner, resultClass);
        this.filter = filter;
    }

    @SuppressWarnings("unchecked")
    static <T> CachedFindIterableImpl<T> create(CachedCollectionImpl<?> owner, Bson filter, Class<T> resultClass) {
        try {
            return (CachedFindIterableImpl<T>) Factory.CONSTRUCTOR.invokeExact(owner, filter, (Class<?>) resultClass);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private <X> FindIterable<X> apply(FindIterable<X> it) {
        applyShared(it, SHARED_OPTIONS);
        if (limit != null) {
            it.limit(limit);
        }
        if (skip != null) {
            it.skip(skip);
        }
        if (maxAwaitTimeNanos >= 0) {
            it.maxAwaitTime(maxAwaitTimeNanos, TimeUnit.NANOSECONDS);
        }
        if (projection != null) {
            it.projection(projection);
        }
        if (sort != null) {
            it.sort(sort);
        }
        if (noCursorTimeout != null) {
            it.noCursorTimeout(noCursorTimeout);
        }
        if (partial != null) {
            it.partial(partial);
        }
        if (cursorType != null) {
            it.cursorType(cursorType);
        }
        if (let != null) {
            it.let(let);
        }
        if (max != null) {
            it.max(max);
        }
        if (min != null) {
            it.min(min);
        }
        if (returnKey != null) {
            it.returnKey(returnKey);
        }
        if (showRecordId != null) {
            it.showRecordId(showRecordId);
        }
        if (allowDiskUse != null) {
            it.allowDiskUse(allowDiskUse);
        }
        replayUnknownCalls(it);
        return it;
    }

    @Override
    FindIterable<T> typed() {
        return apply(owner.delegate.find(filterOrEmpty(), resultClass));
    }

    private Bson filterOrEmpty() {
        return filter != null ? filter : new org.bson.BsonDocument();
    }

    @Override
    @Nullable CacheKey key(boolean first) {
        if (cursorType != null && cursorType != CursorType.NonTailable) {
            return null;
        }
        Class<?> documentClass = owner.getDocumentClass();
        var registry = owner.getCodecRegistry();
        BsonDocument filterDocument = filter == null ? null : filter.toBsonDocument(documentClass, registry);
        KeyBuilder key = owner.keyBuilder(first ? "find.first" : "find", resultClass)
                .value("filter", filterDocument)
                .bson("projection", projection, documentClass, registry)
                .bson("sort", sort, documentClass, registry)
                .value("skip", skip == null ? null : new BsonInt32(skip))
                .value("limit", limit == null ? null : new BsonInt32(limit));
        collationAndHints(key, documentClass, registry)
                .bson("min", min, documentClass, registry)
                .bson("max", max, documentClass, registry)
                .bson("let", let, documentClass, registry)
                .value("returnKey", returnKey == null ? null : BsonBoolean.valueOf(returnKey))
                .value("showRecordId", showRecordId == null ? null : BsonBoolean.valueOf(showRecordId))
                .value("partial", partial == null ? null : BsonBoolean.valueOf(partial))
                .value("allowDiskUse", allowDiskUse == null ? null : BsonBoolean.valueOf(allowDiskUse));
        Collation keyCollation = collation;
        return key.buildIfDeterministic(() -> owner.readDependencies(filterDocument, keyCollation));
    }

    /**
     * Whether a read delegate could run this find exactly: only filter, projection, sort, skip and limit are set,
     * on the primary with the default read concern.
     */
    private boolean delegable() {
        return !hasCollationOrHint() && let == null && max == null && min == null && returnKey == null
                && showRecordId == null && partial == null;
    }

    /** The result from the cache's read delegate (a peer), or null to run the read here. */
    private java.util.@Nullable List<RawBsonDocument> delegated(boolean first, long capBytes) {
        if (!delegable()) {
            return null;
        }
        Class<?> documentClass = owner.getDocumentClass();
        var registry = owner.getCodecRegistry();
        int max = first ? 1 : limit == null ? 0 : Math.abs(limit);
        return owner.askDelegate((d, ns) -> d.find(ns.getDatabaseName(), ns.getCollectionName(),
                filterOrEmpty().toBsonDocument(documentClass, registry),
                projection == null ? null : projection.toBsonDocument(documentClass, registry),
                sort == null ? null : sort.toBsonDocument(documentClass, registry), skip == null ? 0 : skip, max,
                capBytes));
    }

    @Override
    ReadResult load(boolean first, long capBytes) {
        java.util.List<RawBsonDocument> elsewhere = delegated(first, capBytes);
        if (elsewhere != null) {
            // The delegate stops receiving past the cap; one that cannot still gets nothing over-large cached.
            return Payloads.drain(new Payloads.ListCursor(first ? elsewhere.subList(0, Math.min(1, elsewhere.size()))
                    : elsewhere), capBytes);
        }
        return loadRaw(apply(owner.rawView().find(filterOrEmpty(), RawBsonDocument.class)), first, capBytes);
    }

    /** A background reload runs the driver iterable prepared now, so later changes to this one cannot reach it. */
    @Override
    java.util.function.Supplier<Loader> reloader(boolean first) {
        return () -> {
            FindIterable<RawBsonDocument> raw = apply(owner.rawView().find(filterOrEmpty(), RawBsonDocument.class));
            return cap -> loadRaw(raw, first, cap);
        };
    }

    private static ReadResult loadRaw(FindIterable<RawBsonDocument> raw, boolean first, long capBytes) {
        if (first) {
            RawBsonDocument doc = raw.first();
            if (doc == null) {
                return ReadResult.complete(Payloads.EMPTY, null);
            }
            java.nio.ByteBuffer bytes = doc.getByteBuffer().asNIO();
            if (bytes.remaining() > capBytes) {
                // Larger than maxResultBytes: handed to the caller, not cached.
                return new ReadResult(Payloads.EMPTY, new Payloads.ListCursor(java.util.List.of(doc)), null);
            }
            byte[] payload = new byte[bytes.remaining()];
            bytes.get(payload);
            return ReadResult.complete(payload, null);
        }
        return Payloads.drain(raw.cursor(), capBytes);
    }

    @Override
    Decoder<T> decoder() {
        return owner.decoder(resultClass);
    }

    @Override
    boolean hasOwnFirstQuery() {
        return true;
    }

    @Override
    public CachedFindIterableImpl<T> filter(@Nullable Bson filter) {
        this.filter = filter;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> limit(int limit) {
        this.limit = limit;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> skip(int skip) {
        this.skip = skip;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> maxAwaitTime(long maxAwaitTime, TimeUnit timeUnit) {
        this.maxAwaitTimeNanos = TimeUnit.NANOSECONDS.convert(maxAwaitTime, timeUnit);
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> projection(@Nullable Bson projection) {
        this.projection = projection;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> sort(@Nullable Bson sort) {
        this.sort = sort;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> noCursorTimeout(boolean noCursorTimeout) {
        this.noCursorTimeout = noCursorTimeout;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> partial(boolean partial) {
        this.partial = partial;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> cursorType(CursorType cursorType) {
        this.cursorType = cursorType;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> let(@Nullable Bson variables) {
        this.let = variables;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> max(@Nullable Bson max) {
        this.max = max;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> min(@Nullable Bson min) {
        this.min = min;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> returnKey(boolean returnKey) {
        this.returnKey = returnKey;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> showRecordId(boolean showRecordId) {
        this.showRecordId = showRecordId;
        return this;
    }

    @Override
    public CachedFindIterableImpl<T> allowDiskUse(@Nullable Boolean allowDiskUse) {
        this.allowDiskUse = allowDiskUse;
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

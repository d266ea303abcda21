package io.mongocache.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.ListIndexesIterable;
import com.mongodb.client.MapReduceIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.CreateIndexOptions;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.DropCollectionOptions;
import com.mongodb.client.model.DropIndexOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Collation;
import io.mongocache.common.Checks;
import io.mongocache.invalidation.CollectionCollation;
import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.FilterAnalysis;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.invalidation.ReadFreshness;
import io.mongocache.invalidation.WriteAnalysis;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import io.mongocache.CachedAggregateIterable;
import io.mongocache.CachedCollection;
import io.mongocache.CachedDistinctIterable;
import io.mongocache.CachedFindIterable;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.codecs.BsonValueCodecProvider;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * The routing table of {@link CachedCollection}: every driver method this class implements is either a cached
 * read, a pass-through read, or a write that invalidates what it may have changed before it returns. Methods
 * it does not implement (added by a newer driver) are implemented by the Byte Buddy subclass
 * ({@link ProxyClasses}) and reach {@link #onUnknownMethod}: they pass through, and invalidate the namespace
 * unless their name says they only read.
 *
 * <p>Concurrency: immutable and thread-safe, like the driver collection it wraps.
 */
public abstract class CachedCollectionImpl<T> implements CachedCollection<T>, UnknownMethodHandler {

    /** Methods known to read only; an unknown method with another name is assumed to write. */
    private static final Set<String> READ_ONLY_METHODS = Set.of("getNamespace", "getDocumentClass",
            "getCodecRegistry", "getReadPreference", "getWriteConcern", "getReadConcern", "getTimeout",
            "listIndexes", "listSearchIndexes", "watch", "explain", "toString", "hashCode", "equals");

    private static final class Factory {
        static final MethodHandle CONSTRUCTOR = ProxyClasses.constructor(CachedCollectionImpl.class,
                DefaultMongoCache.class, MongoCollection.class, CollectionView.class);
    }

    final DefaultMongoCache cache;
    final MongoCollection<T> delegate;
    final CollectionView view;
    private final String namespace;
    /** The collection's client-side {@code timeout} in nanoseconds; 0: none (fixed per view). */
    private final long timeoutNanos;
    /** Whether reads through this view may return data older than the newest write (fixed per view). */
    private final boolean readsOlderData;
    /** What writes through this view change (the proxy runs them; the analysis is pure). */
    private final WriteAnalysis writes;
    private volatile @Nullable MongoCollection<T> rawView;

    protected CachedCollectionImpl(DefaultMongoCache cache, MongoCollection<T> delegate, CollectionView view) {
        this.cache = cache;
        this.delegate = delegate;
        this.view = view;
        this.namespace = delegate.getNamespace().getFullName();
        Long timeout = delegate.getTimeout(TimeUnit.NANOSECONDS);
        this.timeoutNanos = timeout == null ? 0 : timeout;
        this.readsOlderData = ReadFreshness.mayReadOlderData(delegate.getReadPreference(), delegate.getReadConcern());
        this.writes = cache.precise() ? WriteAnalysis.precise(namespace, delegate.getDocumentClass(),
                delegate.getCodecRegistry(), () -> cache.defaultCollation(namespace, delegate))
                : WriteAnalysis.wholeNamespace(namespace);
    }

    @SuppressWarnings("unchecked")
    static <T> CachedCollectionImpl<T> create(DefaultMongoCache cache, MongoCollection<T> delegate,
            CollectionView view) {
        try {
            return (CachedCollectionImpl<T>) Factory.CONSTRUCTOR.invokeExact(cache, delegate, view);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    DefaultMongoCache cache() {
        return cache;
    }

    @Override
    public void checkOpen() {
        cache.checkOpen(namespace);
    }

    String ns() {
        return namespace;
    }

    /** Whether reads through this view may use the cache right now. */
    boolean cachingActive() {
        return view.cachingEnabled() && !cache.isClosed();
    }

    @Nullable Duration ttl() {
        return ttl(null);
    }

    /**
     * The lifetime of a result read through this view: the query's own {@code cacheTTL}, else the view's, else the
     * cache's default — at most {@code maxStaleness / 2} when this view's reads may return data older than the
     * newest write ({@link ReadFreshness}: a secondary read preference, a majority or snapshot read concern).
     */
    @Nullable Duration ttl(@Nullable Duration query) {
        Duration chosen = query != null ? query : view.ttl();
        if (!readsOlderData) {
            return chosen;
        }
        return ReadFreshness.cap(chosen != null ? chosen : cache.config().defaultTtl(), true,
                cache.config().maxStaleness());
    }

    /**
     * How long a read through this view may wait for another thread's load of the same key: the shorter of the
     * operation's {@code maxTime} and the collection's {@code timeout} (0 or less: no limit).
     */
    long waitLimitNanos(long maxTimeNanos) {
        if (maxTimeNanos <= 0) {
            return timeoutNanos;
        }
        return timeoutNanos <= 0 ? maxTimeNanos : Math.min(timeoutNanos, maxTimeNanos);
    }

    /**
     * The same collection returning raw BSON: results are cached as the bytes MongoDB sent. Its registry is the
     * caller's first (so filters encode exactly as the caller's would), then codecs for raw documents and BSON
     * values in case the caller's registry lacks them.
     */
    MongoCollection<T> rawView() {
        MongoCollection<T> raw = rawView;
        if (raw == null) {
            CodecRegistry registry = CodecRegistries.fromRegistries(delegate.getCodecRegistry(),
                    CodecRegistries.fromCodecs(new RawBsonDocumentCodec()),
                    CodecRegistries.fromProviders(new BsonValueCodecProvider()));
            raw = delegate.withCodecRegistry(registry);
            rawView = raw;
        }
        return raw;
    }

    KeyBuilder keyBuilder(String operation, Class<?> resultClass) {
        // A collection's read preference and read concern never change: encode the shared key elements once per
        // operation and result class (a view mostly runs one or two kinds of read).
        KeyPrefix[] cached = prefixes;
        for (KeyPrefix p : cached) {
            if (p.resultClass == resultClass && p.operation.equals(operation)) {
                return new KeyBuilder(p);
            }
        }
        KeyPrefix created = new KeyPrefix(namespace, operation, resultClass, KeyBuilder.prefix(namespace, operation,
                resultClass, delegate.getReadPreference().toDocument(), delegate.getReadConcern().asDocument()));
        KeyPrefix[] grown = java.util.Arrays.copyOf(cached, Math.min(cached.length + 1, 8));
        grown[grown.length - 1] = created;
        prefixes = grown;
        return new KeyBuilder(created);
    }

    private volatile KeyPrefix[] prefixes = new KeyPrefix[0];
    private volatile Object[] decoders = new Object[0];

    /** The decoder of a result class from this view's registry, looked up once per class (hits decode with it). */
    @SuppressWarnings("unchecked")
    <R> org.bson.codecs.Decoder<R> decoder(Class<R> resultClass) {
        Object[] cached = decoders;
        for (int i = 0; i < cached.length; i += 2) {
            if (cached[i] == resultClass) {
                return (org.bson.codecs.Decoder<R>) cached[i + 1];
            }
        }
        org.bson.codecs.Decoder<R> found = Payloads.decoderOf(resultClass, getCodecRegistry());
        if (cached.length < 16) {
            Object[] grown = java.util.Arrays.copyOf(cached, cached.length + 2);
            grown[cached.length] = resultClass;
            grown[cached.length + 1] = found;
            decoders = grown;
        }
        return found;
    }
    private volatile StatsRegistry.@Nullable Counters counters;

    /** This namespace's statistics row, kept while the bounded table keeps it (so a hit looks nothing up). */
    StatsRegistry.Counters counters() {
        StatsRegistry.Counters c = counters;
        if (c == null || c.retired) {
            c = cache.counters(namespace);
            counters = c;
        }
        return c;
    }

    private CachedCollectionImpl<T> view(CollectionView newView) {
        return create(cache, delegate, newView);
    }

    private <N> CachedCollectionImpl<N> rewrap(MongoCollection<N> newDelegate) {
        return create(cache, newDelegate, view);
    }

    <R> R write(Supplier<R> operation, String... namespaces) {
        try {
            return operation.get();
        } finally {
            invalidateWritten(namespaces);
        }
    }

    void write(Runnable operation, String... namespaces) {
        try {
            operation.run();
        } finally {
            invalidateWritten(namespaces);
        }
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

    /** {@link #invalidateWritten(Invalidation)} for whole namespaces; {@code "*"} is every namespace. */
    void invalidateWritten(String... namespaces) {
        for (String ns : namespaces) {
            invalidateWritten(ns.equals("*") ? Invalidation.everything() : Invalidation.namespace(ns));
        }
    }

    // ---- what reads depend on and what writes change -----------------------------------------------------

    /**
     * The versions a read with this filter depends on: its documents' if the filter pins it to ids (and no
     * collation — the operation's or the collection's default — could make other string ids equal), else the
     * whole namespace.
     */
    Dependency[] readDependencies(@Nullable BsonDocument filter, @Nullable Collation collation) {
        if (filter == null || !cache.precise()) {
            return Dependency.wholeNamespace(namespace);
        }
        return FilterAnalysis.readDependencies(namespace, filter, collation, this::defaultCollation);
    }

    private CollectionCollation defaultCollation() {
        return cache.defaultCollation(namespace, delegate);
    }

    /** Runs a write whose effect is known from its result; on failure the whole namespace is invalidated. */
    private <R> R writeWithResult(Supplier<R> operation, java.util.function.Function<R, Invalidation> effect) {
        Invalidation invalidation = writes.whole();
        try {
            R result = operation.get();
            invalidation = safely(() -> effect.apply(result));
            return result;
        } finally {
            invalidateWritten(invalidation);
        }
    }

    /**
     * Computes a write's effect; if the analysis itself fails, the whole namespace — a bug in the analysis must
     * never turn a write that succeeded into an exception, nor into a missed invalidation.
     */
    private Invalidation safely(Supplier<Invalidation> analysis) {
        try {
            return analysis.get();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CachedCollectionImpl.class)
                    .warn("mongocache: could not analyse a write on {}; invalidating the namespace", namespace, e);
            return writes.whole();
        }
    }

    /**
     * Runs a write that can change only what its filter matches ({@link WriteAnalysis#filtered}); an upsert's
     * effect also depends on its result ({@link WriteAnalysis#upserted}).
     */
    private <R> R writeFiltered(Bson filter, @Nullable Collation collation, boolean upsert, Supplier<R> operation) {
        Invalidation effect = safely(() -> writes.filtered(filter, collation));
        if (upsert) {
            return writeWithResult(operation, result -> writes.upserted(effect, result));
        }
        try {
            return operation.get();
        } finally {
            invalidateWritten(effect);
        }
    }

    /** A bulk write is as precise as its least precise model ({@link WriteAnalysis#bulk}). */
    private BulkWriteResult bulkWrite(List<? extends WriteModel<? extends T>> requests,
            Supplier<BulkWriteResult> operation) {
        return writeWithResult(operation, result -> writes.bulk(requests, result));
    }

    @Override
    public @Nullable Object onUnknownMethod(Method method, @Nullable Object[] arguments) throws Throwable {
        boolean readOnly = READ_ONLY_METHODS.contains(method.getName());
        try {
            Object result = ProxyClasses.invoke(method, delegate, arguments);
            if (result instanceof MongoCollection<?> collection && !(result instanceof CachedCollection<?>)) {
                return rewrap(collection);
            }
            return result;
        } finally {
            if (!readOnly) {
                invalidateWritten(namespace);
            }
        }
    }

    // ---- views -------------------------------------------------------------------------------------------

    @Override
    public CachedCollection<T> noCache() {
        return view(new CollectionView(false, view.ttl()));
    }

    @Override
    public CachedCollection<T> cacheTTL(Duration ttl) {
        return view(new CollectionView(view.cachingEnabled(), Checks.positive("ttl", ttl)));
    }

    @Override
    public CachedCollection<T> db(String databaseName) {
        Checks.databaseName("databaseName", databaseName);
        var router = cache.config().databases();
        if (router == null) {
            throw new IllegalStateException("db(name) needs a database router: MongoCacheBuilder.databases(client)"
                    + " or .databases(pools::database)");
        }
        MongoCollection<T> other = router.apply(databaseName)
                .getCollection(delegate.getNamespace().getCollectionName(), delegate.getDocumentClass())
                .withCodecRegistry(delegate.getCodecRegistry())
                .withReadPreference(delegate.getReadPreference())
                .withReadConcern(delegate.getReadConcern())
                .withWriteConcern(delegate.getWriteConcern());
        return create(cache, other, view);
    }

    @Override
    public MongoCollection<T> unwrap() {
        return delegate;
    }

    @Override
    public MongoNamespace getNamespace() {
        return delegate.getNamespace();
    }

    @Override
    public Class<T> getDocumentClass() {
        return delegate.getDocumentClass();
    }

    @Override
    public CodecRegistry getCodecRegistry() {
        return delegate.getCodecRegistry();
    }

    @Override
    public ReadPreference getReadPreference() {
        return delegate.getReadPreference();
    }

    @Override
    public WriteConcern getWriteConcern() {
        return delegate.getWriteConcern();
    }

    @Override
    public ReadConcern getReadConcern() {
        return delegate.getReadConcern();
    }

    @Override
    public @Nullable Long getTimeout(TimeUnit timeUnit) {
        return delegate.getTimeout(timeUnit);
    }

    @Override
    public <N> CachedCollection<N> withDocumentClass(Class<N> documentClass) {
        return rewrap(delegate.withDocumentClass(documentClass));
    }

    @Override
    public CachedCollection<T> withCodecRegistry(CodecRegistry codecRegistry) {
        return rewrap(delegate.withCodecRegistry(codecRegistry));
    }

    @Override
    public CachedCollection<T> withReadPreference(ReadPreference readPreference) {
        return rewrap(delegate.withReadPreference(readPreference));
    }

    @Override
    public CachedCollection<T> withWriteConcern(WriteConcern writeConcern) {
        return rewrap(delegate.withWriteConcern(writeConcern));
    }

    @Override
    public CachedCollection<T> withReadConcern(ReadConcern readConcern) {
        return rewrap(delegate.withReadConcern(readConcern));
    }

    @Override
    public CachedCollection<T> withTimeout(long timeout, TimeUnit timeUnit) {
        return rewrap(delegate.withTimeout(timeout, timeUnit));
    }

    // ---- cached reads ------------------------------------------------------------------------------------

    @Override
    public long countDocuments() {
        return countDocuments(new BsonDocument());
    }

    @Override
    public long countDocuments(Bson filter) {
        return countDocuments(filter, new CountOptions());
    }

    @Override
    public long countDocuments(Bson filter, CountOptions options) {
        if (!cachingActive() || !OptionsKeys.countOptionsKnown(options)) {
            cache.recordBypass(namespace);
            return delegate.countDocuments(filter, options);
        }
        BsonDocument filterDocument = filter.toBsonDocument(getDocumentClass(), getCodecRegistry());
        KeyBuilder key = keyBuilder("count", Long.class).value("filter", filterDocument);
        OptionsKeys.count(key, options, getDocumentClass(), getCodecRegistry());
        Collation collation = options.getCollation();
        CacheKey built = key.buildIfDeterministic(() -> readDependencies(filterDocument, collation));
        if (built == null) {
            cache.recordBypass(namespace);
            return delegate.countDocuments(filter, options);
        }
        ReadResult result = cache.read(built, ttl(), waitLimitNanos(options.getMaxTime(TimeUnit.NANOSECONDS)),
                cap -> {
                    Long elsewhere = delegatedCount(filterDocument, options);
                    return ReadResult.complete(Payloads.ofLong(elsewhere != null ? elsewhere
                            : delegate.countDocuments(filter, options)), null);
                });
        return Payloads.toLong(result.payload());
    }

    /**
     * Asks the cache's read delegate (a peer) to answer a miss of this collection, when its reads could run
     * elsewhere exactly: primary read preference and the server's default read concern. Null — run the read here
     * — without a delegate, when it declines, or when it fails (logged, never surfaced to the reader).
     */
    <R> @Nullable R askDelegate(
            java.util.function.BiFunction<io.mongocache.spi.ReadDelegate, MongoNamespace, R> call) {
        io.mongocache.spi.ReadDelegate d = cache.readDelegate();
        if (d == null || !ReadPreference.primary().equals(getReadPreference())
                || !getReadConcern().isServerDefault()) {
            return null;
        }
        try {
            return call.apply(d, getNamespace());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CachedCollectionImpl.class)
                    .debug("mongocache: the read delegate failed; running the read here", e);
            return null;
        }
    }

    private @Nullable Long delegatedCount(BsonDocument filter, CountOptions options) {
        if (options.getLimit() != 0 || options.getSkip() != 0 || options.getHint() != null
                || options.getHintString() != null || options.getCollation() != null) {
            return null;
        }
        return askDelegate((d, ns) -> d.count(ns.getDatabaseName(), ns.getCollectionName(), filter));
    }

    @Override
    public long countDocuments(ClientSession session) {
        return delegate.countDocuments(session);
    }

    @Override
    public long countDocuments(ClientSession session, Bson filter) {
        return delegate.countDocuments(session, filter);
    }

    @Override
    public long countDocuments(ClientSession session, Bson filter, CountOptions options) {
        return delegate.countDocuments(session, filter, options);
    }

    @Override
    public long estimatedDocumentCount() {
        return estimatedDocumentCount(new EstimatedDocumentCountOptions());
    }

    @Override
    public long estimatedDocumentCount(EstimatedDocumentCountOptions options) {
        if (!cachingActive() || !OptionsKeys.estimatedCountOptionsKnown(options)) {
            cache.recordBypass(namespace);
            return delegate.estimatedDocumentCount(options);
        }
        CacheKey key = keyBuilder("estimatedCount", Long.class).build();
        ReadResult result = cache.read(key, ttl(), waitLimitNanos(options.getMaxTime(TimeUnit.NANOSECONDS)),
                cap -> ReadResult.complete(Payloads.ofLong(delegate.estimatedDocumentCount(options)), null));
        return Payloads.toLong(result.payload());
    }

    @Override
    public <R> CachedDistinctIterable<R> distinct(String fieldName, Class<R> resultClass) {
        return distinct(fieldName, new BsonDocument(), resultClass);
    }

    @Override
    public <R> CachedDistinctIterable<R> distinct(String fieldName, Bson filter, Class<R> resultClass) {
        return CachedDistinctIterableImpl.create(this, fieldName, filter, resultClass);
    }

    @Override
    public <R> DistinctIterable<R> distinct(ClientSession session, String fieldName, Class<R> resultClass) {
        return delegate.distinct(session, fieldName, resultClass);
    }

    @Override
    public <R> DistinctIterable<R> distinct(ClientSession session, String fieldName, Bson filter,
            Class<R> resultClass) {
        return delegate.distinct(session, fieldName, filter, resultClass);
    }

    @Override
    public CachedFindIterable<T> find() {
        return find(new BsonDocument(), getDocumentClass());
    }

    @Override
    public <R> CachedFindIterable<R> find(Class<R> resultClass) {
        return find(new BsonDocument(), resultClass);
    }

    @Override
    public CachedFindIterable<T> find(Bson filter) {
        return find(filter, getDocumentClass());
    }

    @Override
    public <R> CachedFindIterable<R> find(Bson filter, Class<R> resultClass) {
        // As the driver does: a null filter is a mistake, not "everything" (find() is everything).
        com.mongodb.assertions.Assertions.notNull("filter", filter);
        return CachedFindIterableImpl.create(this, filter, resultClass);
    }

    @Override
    public FindIterable<T> find(ClientSession session) {
        return delegate.find(session);
    }

    @Override
    public <R> FindIterable<R> find(ClientSession session, Class<R> resultClass) {
        return delegate.find(session, resultClass);
    }

    @Override
    public FindIterable<T> find(ClientSession session, Bson filter) {
        return delegate.find(session, filter);
    }

    @Override
    public <R> FindIterable<R> find(ClientSession session, Bson filter, Class<R> resultClass) {
        return delegate.find(session, filter, resultClass);
    }

    @Override
    public CachedAggregateIterable<T> aggregate(List<? extends Bson> pipeline) {
        return aggregate(pipeline, getDocumentClass());
    }

    @Override
    public <R> CachedAggregateIterable<R> aggregate(List<? extends Bson> pipeline, Class<R> resultClass) {
        return CachedAggregateIterableImpl.create(this, null, pipeline, resultClass);
    }

    @Override
    public AggregateIterable<T> aggregate(ClientSession session, List<? extends Bson> pipeline) {
        return aggregate(session, pipeline, getDocumentClass());
    }

    @Override
    public <R> AggregateIterable<R> aggregate(ClientSession session, List<? extends Bson> pipeline,
            Class<R> resultClass) {
        // Never cached (sessions bypass), but wrapped: a $out/$merge stage is a write that must invalidate.
        return CachedAggregateIterableImpl.create(this, session, pipeline, resultClass);
    }

    // ---- pass-through reads ------------------------------------------------------------------------------

    @Override
    public ChangeStreamIterable<T> watch() {
        return delegate.watch();
    }

    @Override
    public <R> ChangeStreamIterable<R> watch(Class<R> resultClass) {
        return delegate.watch(resultClass);
    }

    @Override
    public ChangeStreamIterable<T> watch(List<? extends Bson> pipeline) {
        return delegate.watch(pipeline);
    }

    @Override
    public <R> ChangeStreamIterable<R> watch(List<? extends Bson> pipeline, Class<R> resultClass) {
        return delegate.watch(pipeline, resultClass);
    }

    @Override
    public ChangeStreamIterable<T> watch(ClientSession session) {
        return delegate.watch(session);
    }

    @Override
    public <R> ChangeStreamIterable<R> watch(ClientSession session, Class<R> resultClass) {
        return delegate.watch(session, resultClass);
    }

    @Override
    public ChangeStreamIterable<T> watch(ClientSession session, List<? extends Bson> pipeline) {
        return delegate.watch(session, pipeline);
    }

    @Override
    public <R> ChangeStreamIterable<R> watch(ClientSession session, List<? extends Bson> pipeline,
            Class<R> resultClass) {
        return delegate.watch(session, pipeline, resultClass);
    }

    @Override
    public ListIndexesIterable<org.bson.Document> listIndexes() {
        return delegate.listIndexes();
    }

    @Override
    public <R> ListIndexesIterable<R> listIndexes(Class<R> resultClass) {
        return delegate.listIndexes(resultClass);
    }

    @Override
    public ListIndexesIterable<org.bson.Document> listIndexes(ClientSession session) {
        return delegate.listIndexes(session);
    }

    @Override
    public <R> ListIndexesIterable<R> listIndexes(ClientSession session, Class<R> resultClass) {
        return delegate.listIndexes(session, resultClass);
    }

    // ---- map-reduce: deprecated by MongoDB; may write to any collection, so everything is invalidated ------

    @Override
    @SuppressWarnings("deprecation")
    public MapReduceIterable<T> mapReduce(String mapFunction, String reduceFunction) {
        return invalidatingEverything(delegate.mapReduce(mapFunction, reduceFunction));
    }

    @Override
    @SuppressWarnings("deprecation")
    public <R> MapReduceIterable<R> mapReduce(String mapFunction, String reduceFunction, Class<R> resultClass) {
        return invalidatingEverything(delegate.mapReduce(mapFunction, reduceFunction, resultClass));
    }

    @Override
    @SuppressWarnings("deprecation")
    public MapReduceIterable<T> mapReduce(ClientSession session, String mapFunction, String reduceFunction) {
        return invalidatingEverything(delegate.mapReduce(session, mapFunction, reduceFunction));
    }

    @Override
    @SuppressWarnings("deprecation")
    public <R> MapReduceIterable<R> mapReduce(ClientSession session, String mapFunction, String reduceFunction,
            Class<R> resultClass) {
        return invalidatingEverything(delegate.mapReduce(session, mapFunction, reduceFunction, resultClass));
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

    // ---- writes: run, then invalidate before returning ---------------------------------------------------

    @Override
    public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends T>> requests) {
        return bulkWrite(requests, () -> delegate.bulkWrite(requests));
    }

    @Override
    public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends T>> requests, BulkWriteOptions options) {
        return bulkWrite(requests, () -> delegate.bulkWrite(requests, options));
    }

    @Override
    public InsertOneResult insertOne(T document) {
        return writeWithResult(() -> delegate.insertOne(document), writes::inserted);
    }

    @Override
    public InsertOneResult insertOne(T document, InsertOneOptions options) {
        return writeWithResult(() -> delegate.insertOne(document, options), writes::inserted);
    }

    @Override
    public InsertManyResult insertMany(List<? extends T> documents) {
        return writeWithResult(() -> delegate.insertMany(documents), writes::insertedMany);
    }

    @Override
    public InsertManyResult insertMany(List<? extends T> documents, InsertManyOptions options) {
        return writeWithResult(() -> delegate.insertMany(documents, options), writes::insertedMany);
    }

    @Override
    public DeleteResult deleteOne(Bson filter) {
        return writeFiltered(filter, null, false, () -> delegate.deleteOne(filter));
    }

    @Override
    public DeleteResult deleteOne(Bson filter, DeleteOptions options) {
        return writeFiltered(filter, options.getCollation(), false, () -> delegate.deleteOne(filter, options));
    }

    @Override
    public DeleteResult deleteMany(Bson filter) {
        return writeFiltered(filter, null, false, () -> delegate.deleteMany(filter));
    }

    @Override
    public DeleteResult deleteMany(Bson filter, DeleteOptions options) {
        return writeFiltered(filter, options.getCollation(), false, () -> delegate.deleteMany(filter, options));
    }

    @Override
    public UpdateResult replaceOne(Bson filter, T replacement) {
        return writeFiltered(filter, null, false, () -> delegate.replaceOne(filter, replacement));
    }

    @Override
    public UpdateResult replaceOne(Bson filter, T replacement, ReplaceOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.replaceOne(filter, replacement, options));
    }

    @Override
    public UpdateResult updateOne(Bson filter, Bson update) {
        return writeFiltered(filter, null, false, () -> delegate.updateOne(filter, update));
    }

    @Override
    public UpdateResult updateOne(Bson filter, Bson update, UpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateOne(filter, update, options));
    }

    @Override
    public UpdateResult updateOne(Bson filter, List<? extends Bson> update) {
        return writeFiltered(filter, null, false, () -> delegate.updateOne(filter, update));
    }

    @Override
    public UpdateResult updateOne(Bson filter, List<? extends Bson> update, UpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateOne(filter, update, options));
    }

    @Override
    public UpdateResult updateMany(Bson filter, Bson update) {
        return writeFiltered(filter, null, false, () -> delegate.updateMany(filter, update));
    }

    @Override
    public UpdateResult updateMany(Bson filter, Bson update, UpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateMany(filter, update, options));
    }

    @Override
    public UpdateResult updateMany(Bson filter, List<? extends Bson> update) {
        return writeFiltered(filter, null, false, () -> delegate.updateMany(filter, update));
    }

    @Override
    public UpdateResult updateMany(Bson filter, List<? extends Bson> update, UpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateMany(filter, update, options));
    }

    @Override
    public @Nullable T findOneAndDelete(Bson filter) {
        return writeFiltered(filter, null, false, () -> delegate.findOneAndDelete(filter));
    }

    @Override
    public @Nullable T findOneAndDelete(Bson filter, FindOneAndDeleteOptions options) {
        return writeFiltered(filter, options.getCollation(), false, () -> delegate.findOneAndDelete(filter, options));
    }

    @Override
    public @Nullable T findOneAndReplace(Bson filter, T replacement) {
        return writeFiltered(filter, null, false, () -> delegate.findOneAndReplace(filter, replacement));
    }

    @Override
    public @Nullable T findOneAndReplace(Bson filter, T replacement, FindOneAndReplaceOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndReplace(filter, replacement, options));
    }

    @Override
    public @Nullable T findOneAndUpdate(Bson filter, Bson update) {
        return writeFiltered(filter, null, false, () -> delegate.findOneAndUpdate(filter, update));
    }

    @Override
    public @Nullable T findOneAndUpdate(Bson filter, Bson update, FindOneAndUpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndUpdate(filter, update, options));
    }

    @Override
    public @Nullable T findOneAndUpdate(Bson filter, List<? extends Bson> update) {
        return writeFiltered(filter, null, false, () -> delegate.findOneAndUpdate(filter, update));
    }

    @Override
    public @Nullable T findOneAndUpdate(Bson filter, List<? extends Bson> update, FindOneAndUpdateOptions options) {
        return writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndUpdate(filter, update, options));
    }

    @Override
    public void drop() {
        write(() -> delegate.drop(), ns());
    }

    @Override
    public void drop(DropCollectionOptions options) {
        write(() -> delegate.drop(options), ns());
    }

    @Override
    public String createIndex(Bson keys) {
        return write(() -> delegate.createIndex(keys), ns());
    }

    @Override
    public String createIndex(Bson keys, IndexOptions options) {
        return write(() -> delegate.createIndex(keys, options), ns());
    }

    @Override
    public List<String> createIndexes(List<IndexModel> indexes) {
        return write(() -> delegate.createIndexes(indexes), ns());
    }

    @Override
    public List<String> createIndexes(List<IndexModel> indexes, CreateIndexOptions options) {
        return write(() -> delegate.createIndexes(indexes, options), ns());
    }

    @Override
    public void dropIndex(String indexName) {
        write(() -> delegate.dropIndex(indexName), ns());
    }

    @Override
    public void dropIndex(String indexName, DropIndexOptions options) {
        write(() -> delegate.dropIndex(indexName, options), ns());
    }

    @Override
    public void dropIndex(Bson keys) {
        write(() -> delegate.dropIndex(keys), ns());
    }

    @Override
    public void dropIndex(Bson keys, DropIndexOptions options) {
        write(() -> delegate.dropIndex(keys, options), ns());
    }

    @Override
    public void dropIndexes() {
        write(() -> delegate.dropIndexes(), ns());
    }

    @Override
    public void dropIndexes(DropIndexOptions options) {
        write(() -> delegate.dropIndexes(options), ns());
    }

    @Override
    public void renameCollection(MongoNamespace newNamespace) {
        write(() -> delegate.renameCollection(newNamespace), ns(), newNamespace.getFullName());
    }

    @Override
    public void renameCollection(MongoNamespace newNamespace, RenameCollectionOptions options) {
        write(() -> delegate.renameCollection(newNamespace, options), ns(), newNamespace.getFullName());
    }

    @Override
    public BulkWriteResult bulkWrite(ClientSession session, List<? extends WriteModel<? extends T>> requests) {
        return cache.sessionWrites().within(session, () -> bulkWrite(requests, () -> delegate.bulkWrite(session, requests)));
    }

    @Override
    public BulkWriteResult bulkWrite(ClientSession session, List<? extends WriteModel<? extends T>> requests, BulkWriteOptions options) {
        return cache.sessionWrites().within(session, () -> bulkWrite(requests, () -> delegate.bulkWrite(session, requests, options)));
    }

    @Override
    public InsertOneResult insertOne(ClientSession session, T document) {
        return cache.sessionWrites().within(session, () -> writeWithResult(() -> delegate.insertOne(session, document), writes::inserted));
    }

    @Override
    public InsertOneResult insertOne(ClientSession session, T document, InsertOneOptions options) {
        return cache.sessionWrites().within(session, () -> writeWithResult(() -> delegate.insertOne(session, document, options), writes::inserted));
    }

    @Override
    public InsertManyResult insertMany(ClientSession session, List<? extends T> documents) {
        return cache.sessionWrites().within(session, () -> writeWithResult(() -> delegate.insertMany(session, documents), writes::insertedMany));
    }

    @Override
    public InsertManyResult insertMany(ClientSession session, List<? extends T> documents, InsertManyOptions options) {
        return cache.sessionWrites().within(session, () -> writeWithResult(() -> delegate.insertMany(session, documents, options), writes::insertedMany));
    }

    @Override
    public DeleteResult deleteOne(ClientSession session, Bson filter) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.deleteOne(session, filter)));
    }

    @Override
    public DeleteResult deleteOne(ClientSession session, Bson filter, DeleteOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), false, () -> delegate.deleteOne(session, filter, options)));
    }

    @Override
    public DeleteResult deleteMany(ClientSession session, Bson filter) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.deleteMany(session, filter)));
    }

    @Override
    public DeleteResult deleteMany(ClientSession session, Bson filter, DeleteOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), false, () -> delegate.deleteMany(session, filter, options)));
    }

    @Override
    public UpdateResult replaceOne(ClientSession session, Bson filter, T replacement) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.replaceOne(session, filter, replacement)));
    }

    @Override
    public UpdateResult replaceOne(ClientSession session, Bson filter, T replacement, ReplaceOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.replaceOne(session, filter, replacement, options)));
    }

    @Override
    public UpdateResult updateOne(ClientSession session, Bson filter, Bson update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.updateOne(session, filter, update)));
    }

    @Override
    public UpdateResult updateOne(ClientSession session, Bson filter, Bson update, UpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateOne(session, filter, update, options)));
    }

    @Override
    public UpdateResult updateOne(ClientSession session, Bson filter, List<? extends Bson> update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.updateOne(session, filter, update)));
    }

    @Override
    public UpdateResult updateOne(ClientSession session, Bson filter, List<? extends Bson> update, UpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateOne(session, filter, update, options)));
    }

    @Override
    public UpdateResult updateMany(ClientSession session, Bson filter, Bson update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.updateMany(session, filter, update)));
    }

    @Override
    public UpdateResult updateMany(ClientSession session, Bson filter, Bson update, UpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateMany(session, filter, update, options)));
    }

    @Override
    public UpdateResult updateMany(ClientSession session, Bson filter, List<? extends Bson> update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.updateMany(session, filter, update)));
    }

    @Override
    public UpdateResult updateMany(ClientSession session, Bson filter, List<? extends Bson> update, UpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.updateMany(session, filter, update, options)));
    }

    @Override
    public @Nullable T findOneAndDelete(ClientSession session, Bson filter) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.findOneAndDelete(session, filter)));
    }

    @Override
    public @Nullable T findOneAndDelete(ClientSession session, Bson filter, FindOneAndDeleteOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), false, () -> delegate.findOneAndDelete(session, filter, options)));
    }

    @Override
    public @Nullable T findOneAndReplace(ClientSession session, Bson filter, T replacement) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.findOneAndReplace(session, filter, replacement)));
    }

    @Override
    public @Nullable T findOneAndReplace(ClientSession session, Bson filter, T replacement, FindOneAndReplaceOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndReplace(session, filter, replacement, options)));
    }

    @Override
    public @Nullable T findOneAndUpdate(ClientSession session, Bson filter, Bson update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.findOneAndUpdate(session, filter, update)));
    }

    @Override
    public @Nullable T findOneAndUpdate(ClientSession session, Bson filter, Bson update, FindOneAndUpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndUpdate(session, filter, update, options)));
    }

    @Override
    public @Nullable T findOneAndUpdate(ClientSession session, Bson filter, List<? extends Bson> update) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, null, false, () -> delegate.findOneAndUpdate(session, filter, update)));
    }

    @Override
    public @Nullable T findOneAndUpdate(ClientSession session, Bson filter, List<? extends Bson> update, FindOneAndUpdateOptions options) {
        return cache.sessionWrites().within(session, () -> writeFiltered(filter, options.getCollation(), options.isUpsert(), () -> delegate.findOneAndUpdate(session, filter, update, options)));
    }

    @Override
    public void drop(ClientSession session) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.drop(session), ns()));
    }

    @Override
    public void drop(ClientSession session, DropCollectionOptions options) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.drop(session, options), ns()));
    }

    @Override
    public String createIndex(ClientSession session, Bson keys) {
        return cache.sessionWrites().within(session, () -> write(() -> delegate.createIndex(session, keys), ns()));
    }

    @Override
    public String createIndex(ClientSession session, Bson keys, IndexOptions options) {
        return cache.sessionWrites().within(session, () -> write(() -> delegate.createIndex(session, keys, options), ns()));
    }

    @Override
    public List<String> createIndexes(ClientSession session, List<IndexModel> indexes) {
        return cache.sessionWrites().within(session, () -> write(() -> delegate.createIndexes(session, indexes), ns()));
    }

    @Override
    public List<String> createIndexes(ClientSession session, List<IndexModel> indexes, CreateIndexOptions options) {
        return cache.sessionWrites().within(session, () -> write(() -> delegate.createIndexes(session, indexes, options), ns()));
    }

    @Override
    public void dropIndex(ClientSession session, String indexName) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndex(session, indexName), ns()));
    }

    @Override
    public void dropIndex(ClientSession session, String indexName, DropIndexOptions options) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndex(session, indexName, options), ns()));
    }

    @Override
    public void dropIndex(ClientSession session, Bson keys) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndex(session, keys), ns()));
    }

    @Override
    public void dropIndex(ClientSession session, Bson keys, DropIndexOptions options) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndex(session, keys, options), ns()));
    }

    @Override
    public void dropIndexes(ClientSession session) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndexes(session), ns()));
    }

    @Override
    public void dropIndexes(ClientSession session, DropIndexOptions options) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.dropIndexes(session, options), ns()));
    }

    @Override
    public void renameCollection(ClientSession session, MongoNamespace newNamespace) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.renameCollection(session, newNamespace), ns(), newNamespace.getFullName()));
    }

    @Override
    public void renameCollection(ClientSession session, MongoNamespace newNamespace, RenameCollectionOptions options) {
        cache.sessionWrites().within(session, () -> write(() -> delegate.renameCollection(session, newNamespace, options), ns(), newNamespace.getFullName()));
    }
}

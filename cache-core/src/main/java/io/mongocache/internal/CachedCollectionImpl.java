package io.mongocache.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Collation;
import io.mongocache.common.Checks;
import io.mongocache.invalidation.CollectionCollation;
import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.FilterAnalysis;
import io.mongocache.invalidation.ReadFreshness;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import io.mongocache.CachedAggregateIterable;
import io.mongocache.CacheHints;
import io.mongocache.CachedCollection;
import io.mongocache.CachedDistinctIterable;
import io.mongocache.CachedFindIterable;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.codecs.BsonValueCodecProvider;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * {@link CachedCollection} over one driver collection: the methods of the typed kinds of {@link CollectionRoutes}
 * (cached reads, {@code aggregate}, settings and views), and what a cached read needs of its collection (keys,
 * decoders, lifetimes, read dependencies, statistics). Every other driver method is left abstract: the Byte Buddy
 * subclass ({@link ProxyClasses}) sends it to {@link #dispatch}, which routes it by the table to
 * {@link CollectionWrites} — the writes, which invalidate before they return, the pass-through reads, the session
 * overloads and any method a newer driver adds.
 *
 * <p>Concurrency: immutable and thread-safe, like the driver collection it wraps; the per-view lookup caches
 * (key prefixes, decoders, the statistics row) are racy single-writer-wins arrays of immutable values.
 */
public abstract class CachedCollectionImpl<T> implements CachedCollection<T>, DispatchTarget {

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
    /** Runs the dispatched calls and invalidates what writes through this view change. */
    final CollectionWrites writes;
    private volatile @Nullable MongoCollection<T> rawView;

    protected CachedCollectionImpl(DefaultMongoCache cache, MongoCollection<T> delegate, CollectionView view) {
        this.cache = cache;
        this.delegate = delegate;
        this.view = view;
        this.namespace = delegate.getNamespace().getFullName();
        Long timeout = delegate.getTimeout(TimeUnit.NANOSECONDS);
        this.timeoutNanos = timeout == null ? 0 : timeout;
        this.readsOlderData = ReadFreshness.mayReadOlderData(delegate.getReadPreference(), delegate.getReadConcern());
        this.writes = new CollectionWrites(cache, delegate, namespace);
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

    /** Whether reads through this view may use the cache right now (not in a {@code CacheHints.noCache} scope). */
    boolean cachingActive() {
        return view.cachingEnabled() && !cache.isClosed() && !CacheHints.noCacheActive();
    }

    @Nullable Duration ttl() {
        return ttl(null);
    }

    /**
     * The lifetime of a result read through this view: the query's own {@code cacheTTL}, else the open
     * {@code CacheHints.ttl} scope's, else the view's, else the cache's default — at most {@code maxStaleness / 2} when this view's reads may return data older than the
     * newest write ({@link ReadFreshness}: a secondary read preference, a majority or snapshot read concern).
     */
    @Nullable Duration ttl(@Nullable Duration query) {
        Duration hinted = query != null ? query : CacheHints.currentTtl();
        Duration chosen = hinted != null ? hinted : view.ttl();
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

    // ---- what reads depend on ----------------------------------------------------------------------------

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

    /**
     * A method this class leaves abstract, routed by {@link CollectionRoutes}: run by {@link CollectionWrites}. A
     * collection it returns (an unknown method's) is wrapped like this one.
     */
    @Override
    public @Nullable Object dispatch(Method method, @Nullable Object[] arguments) {
        Object result = writes.run(CollectionRoutes.route(method), arguments == null ? new Object[0] : arguments);
        if (result instanceof MongoCollection<?> collection && !(result instanceof CachedCollection<?>)) {
            return rewrap(collection);
        }
        return result;
    }

    // ---- views and settings (typed: a view returns the cache's own type, and every cached read asks settings) --

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
            throw new io.mongocache.MongoCacheConfigurationException("db(name) needs a database router: MongoCacheBuilder.databases(client)"
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

    // ---- cached reads and aggregate (typed: they return the cache's own iterables and values) ----------------

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
}

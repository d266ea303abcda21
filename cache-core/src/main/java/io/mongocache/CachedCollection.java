package io.mongocache;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoCollection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * A {@link MongoCollection} whose reads are cached and whose writes invalidate the cache. Any code that takes a
 * {@code MongoCollection} accepts it and gets the same results it would get from the driver.
 *
 * <p>Cached: {@code find} (every terminal), {@code countDocuments}, {@code estimatedDocumentCount},
 * {@code distinct} and {@code aggregate} without {@code $out}/{@code $merge}. Calls with a {@code ClientSession},
 * {@code watch} and {@code explain} pass straight through. Every method that may write invalidates what it can
 * have changed before it returns; a method this library does not know passes through and, unless it is known to
 * be read-only, invalidates the namespace.
 *
 * @param <T> the document class
 */
@ThreadSafe
public interface CachedCollection<T> extends MongoCollection<T> {

    /** A view of this collection whose reads bypass the cache. Writes through it still invalidate. */
    CachedCollection<T> noCache();

    /**
     * A view of this collection whose cached reads live for {@code ttl} instead of the cache's default.
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative
     */
    CachedCollection<T> cacheTTL(Duration ttl);

    /**
     * The collection of the same name, document class and settings in another database — on the pool that the
     * cache's database router gives that database ({@code MongoCacheBuilder.databases(…)}), cached the same way.
     * Cache keys and invalidation are per database.
     *
     * @throws IllegalArgumentException if the name is not a valid database name: null, empty, 64 UTF-8 bytes or
     *     more, or with any of {@code / \ . " $}, a space or NUL
     * @throws MongoCacheConfigurationException if the cache has no database router
     */
    CachedCollection<T> db(String databaseName);

    /** The driver collection underneath. Writes made through it are not seen by this node's cache. */
    MongoCollection<T> unwrap();

    @Override
    CachedFindIterable<T> find();

    @Override
    <R> CachedFindIterable<R> find(Class<R> resultClass);

    @Override
    CachedFindIterable<T> find(Bson filter);

    @Override
    <R> CachedFindIterable<R> find(Bson filter, Class<R> resultClass);

    @Override
    CachedAggregateIterable<T> aggregate(List<? extends Bson> pipeline);

    @Override
    <R> CachedAggregateIterable<R> aggregate(List<? extends Bson> pipeline, Class<R> resultClass);

    @Override
    <R> CachedDistinctIterable<R> distinct(String fieldName, Class<R> resultClass);

    @Override
    <R> CachedDistinctIterable<R> distinct(String fieldName, Bson filter, Class<R> resultClass);

    @Override
    <N> CachedCollection<N> withDocumentClass(Class<N> documentClass);

    @Override
    CachedCollection<T> withCodecRegistry(CodecRegistry codecRegistry);

    @Override
    CachedCollection<T> withReadPreference(ReadPreference readPreference);

    @Override
    CachedCollection<T> withWriteConcern(WriteConcern writeConcern);

    @Override
    CachedCollection<T> withReadConcern(ReadConcern readConcern);

    @Override
    CachedCollection<T> withTimeout(long timeout, TimeUnit timeUnit);
}

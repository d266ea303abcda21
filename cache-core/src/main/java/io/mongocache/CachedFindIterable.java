package io.mongocache;

import com.mongodb.CursorType;
import com.mongodb.annotations.NotThreadSafe;
import com.mongodb.client.FindIterable;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Collation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * A {@link FindIterable} served from the cache. Every option that can change the result is part of the cache
 * key; options that cannot (batch size, max time, comment) are passed to MongoDB on a miss and stay out of it.
 * A tailable cursor, or an option this library does not recognise, makes the query bypass the cache.
 *
 * @param <T> the result class
 */
@NotThreadSafe
public interface CachedFindIterable<T> extends FindIterable<T> {

    /** Runs this query on MongoDB, neither reading nor filling the cache. */
    CachedFindIterable<T> noCache();

    /**
     * Caches this query's result for {@code ttl} instead of the default.
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative
     */
    CachedFindIterable<T> cacheTTL(Duration ttl);

    @Override
    CachedFindIterable<T> filter(Bson filter);

    @Override
    CachedFindIterable<T> limit(int limit);

    @Override
    CachedFindIterable<T> skip(int skip);

    @Override
    CachedFindIterable<T> maxTime(long maxTime, TimeUnit timeUnit);

    @Override
    CachedFindIterable<T> maxAwaitTime(long maxAwaitTime, TimeUnit timeUnit);

    @Override
    CachedFindIterable<T> projection(Bson projection);

    @Override
    CachedFindIterable<T> sort(Bson sort);

    @Override
    CachedFindIterable<T> noCursorTimeout(boolean noCursorTimeout);

    @Override
    CachedFindIterable<T> partial(boolean partial);

    @Override
    CachedFindIterable<T> cursorType(CursorType cursorType);

    @Override
    CachedFindIterable<T> batchSize(int batchSize);

    @Override
    CachedFindIterable<T> collation(Collation collation);

    @Override
    CachedFindIterable<T> comment(String comment);

    @Override
    CachedFindIterable<T> comment(BsonValue comment);

    @Override
    CachedFindIterable<T> hint(Bson hint);

    @Override
    CachedFindIterable<T> hintString(String hint);

    @Override
    CachedFindIterable<T> let(Bson variables);

    @Override
    CachedFindIterable<T> max(Bson max);

    @Override
    CachedFindIterable<T> min(Bson min);

    @Override
    CachedFindIterable<T> returnKey(boolean returnKey);

    @Override
    CachedFindIterable<T> showRecordId(boolean showRecordId);

    @Override
    CachedFindIterable<T> allowDiskUse(Boolean allowDiskUse);

    @Override
    CachedFindIterable<T> timeoutMode(TimeoutMode timeoutMode);
}

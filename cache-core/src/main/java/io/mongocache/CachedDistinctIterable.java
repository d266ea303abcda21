package io.mongocache;

import com.mongodb.annotations.NotThreadSafe;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Collation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * A {@link DistinctIterable} served from the cache; values are kept as raw BSON and decoded on every hit.
 *
 * @param <T> the result class
 */
@NotThreadSafe
public interface CachedDistinctIterable<T> extends DistinctIterable<T> {

    /** Runs this query on MongoDB, neither reading nor filling the cache. */
    CachedDistinctIterable<T> noCache();

    /**
     * Caches this query's result for {@code ttl} instead of the default.
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative
     */
    CachedDistinctIterable<T> cacheTTL(Duration ttl);

    @Override
    CachedDistinctIterable<T> filter(Bson filter);

    @Override
    CachedDistinctIterable<T> maxTime(long maxTime, TimeUnit timeUnit);

    @Override
    CachedDistinctIterable<T> batchSize(int batchSize);

    @Override
    CachedDistinctIterable<T> collation(Collation collation);

    @Override
    CachedDistinctIterable<T> comment(String comment);

    @Override
    CachedDistinctIterable<T> comment(BsonValue comment);

    @Override
    CachedDistinctIterable<T> hint(Bson hint);

    @Override
    CachedDistinctIterable<T> hintString(String hint);

    @Override
    CachedDistinctIterable<T> timeoutMode(TimeoutMode timeoutMode);
}

package io.mongocache;

import com.mongodb.annotations.NotThreadSafe;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Collation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * An {@link AggregateIterable} served from the cache. The result depends on every collection the pipeline reads
 * ({@code $lookup}, {@code $graphLookup}, {@code $unionWith}, nested in {@code $facet} too); a write to any of
 * them invalidates it. A pipeline ending in {@code $out} or {@code $merge} is a write: it runs on MongoDB and
 * invalidates its target. A stage this library does not know, or a time- or random-dependent expression
 * ({@code $$NOW}, {@code $rand}, {@code $sample}), makes the pipeline bypass the cache.
 *
 * @param <T> the result class
 */
@NotThreadSafe
public interface CachedAggregateIterable<T> extends AggregateIterable<T> {

    /** Runs this pipeline on MongoDB, neither reading nor filling the cache. */
    CachedAggregateIterable<T> noCache();

    /**
     * Caches this pipeline's result for {@code ttl} instead of the default.
     *
     * @throws IllegalArgumentException if {@code ttl} is null, zero or negative
     */
    CachedAggregateIterable<T> cacheTTL(Duration ttl);

    @Override
    CachedAggregateIterable<T> allowDiskUse(Boolean allowDiskUse);

    @Override
    CachedAggregateIterable<T> batchSize(int batchSize);

    @Override
    CachedAggregateIterable<T> timeoutMode(TimeoutMode timeoutMode);

    @Override
    CachedAggregateIterable<T> maxTime(long maxTime, TimeUnit timeUnit);

    @Override
    CachedAggregateIterable<T> maxAwaitTime(long maxWaitTime, TimeUnit timeUnit);

    @Override
    CachedAggregateIterable<T> bypassDocumentValidation(Boolean bypassDocumentValidation);

    @Override
    CachedAggregateIterable<T> collation(Collation collation);

    @Override
    CachedAggregateIterable<T> comment(String comment);

    @Override
    CachedAggregateIterable<T> comment(BsonValue comment);

    @Override
    CachedAggregateIterable<T> hint(Bson hint);

    @Override
    CachedAggregateIterable<T> hintString(String hint);

    @Override
    CachedAggregateIterable<T> let(Bson variables);
}

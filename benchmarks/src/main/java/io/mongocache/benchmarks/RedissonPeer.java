package io.mongocache.benchmarks;

import com.mongodb.client.MongoCollection;
import java.time.Duration;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.redisson.codec.CompositeCodec;
import org.redisson.config.Config;

import static com.mongodb.client.model.Filters.eq;

/**
 * The peer: what a Java team would write by hand instead of this library — a Redisson {@code RLocalCachedMap}
 * (a near cache: local copies, invalidated on every instance over Redis pub/sub) used look-aside by {@code _id},
 * holding the BSON bytes MongoDB returned, decoded on every hit like the library does. A read: the map, else
 * MongoDB then {@code fastPut}; a write: MongoDB then {@code fastRemove}. Redisson's defaults otherwise
 * (its own local cache, keys encoded to compute the local key), with the invalidate sync strategy.
 */
public final class RedissonPeer implements AutoCloseable {
    private final RedissonClient client;
    private final RLocalCachedMap<String, byte[]> map;
    private final java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder misses = new java.util.concurrent.atomic.LongAdder();

    public RedissonPeer(String redisUri, String name) {
        Config config = new Config();
        config.useSingleServer().setAddress(redisUri).setConnectionMinimumIdleSize(4).setConnectionPoolSize(16);
        config.setNettyThreads(4);
        this.client = Redisson.create(config);
        this.map = client.getLocalCachedMap(LocalCachedMapOptions.<String, byte[]>name(name)
                .codec(new CompositeCodec(StringCodec.INSTANCE, ByteArrayCodec.INSTANCE))
                .cacheSize(0)
                .timeToLive(Duration.ofMinutes(5))
                .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
                .reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.CLEAR));
    }

    /** The bytes of the document with this id: from the near cache, else from MongoDB (then cached); or null. */
    public byte[] read(MongoCollection<RawBsonDocument> raw, String key, Object id) {
        byte[] bytes = map.get(key);
        if (bytes != null) {
            hits.increment();
            return bytes;
        }
        misses.increment();
        RawBsonDocument doc = raw.find(eq("_id", id)).first();
        if (doc == null) {
            return null;
        }
        bytes = BsonBytes.copy(doc);
        map.fastPut(key, bytes);
        return bytes;
    }

    /** The near cache's local copy, or null: a hit costs exactly this plus decoding. */
    byte[] cached(String key) {
        return map.get(key);
    }

    void put(String key, byte[] bytes) {
        map.fastPut(key, bytes);
    }

    /** A write: MongoDB, then the entry removed (on every instance). */
    public void write(MongoCollection<RawBsonDocument> raw, String key, Object id, Bson update) {
        raw.updateOne(eq("_id", id), update);
        map.fastRemove(key);
    }

    /** Hits over hits plus misses of {@link #read} so far. */
    public double hitRatio() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 0 : (double) h / total;
    }

    public void resetCounts() {
        hits.reset();
        misses.reset();
    }

    int localSize() {
        return map.getCachedMap().size();
    }

    @Override
    public void close() {
        map.destroy();
        client.shutdown();
    }
}

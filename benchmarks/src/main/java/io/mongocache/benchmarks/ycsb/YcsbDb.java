package io.mongocache.benchmarks.ycsb;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import io.mongocache.benchmarks.BsonBytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.bson.conversions.Bson;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;

/**
 * YCSB's database interface over one of the variants measured: the raw driver, the Redisson peer, or a
 * {@code CachedCollection}. Each record is a document {@code {_id: key, field0…field9}}; a read decodes the whole
 * document into a {@link Document} in every variant (the peer decodes its cached bytes with the collection's codec,
 * as the library does), an update sets the fields YCSB chose, an insert inserts. Every call's latency is recorded
 * per operation kind in the calling thread's {@link Latencies}.
 */
public final class YcsbDb extends DB {
    /** The variants. */
    public enum Variant { RAW, PEER, CACHE_SYNC, CACHE_ASYNC }

    private final Variant variant;
    private final MongoCollection<Document> collection;
    private final MongoCollection<RawBsonDocument> rawBytes;
    private final io.mongocache.benchmarks.RedissonPeer peer;
    private final Decoder<Document> decoder;
    private final Latencies latencies;

    YcsbDb(Variant variant, MongoCollection<Document> collection, MongoCollection<RawBsonDocument> rawBytes,
            io.mongocache.benchmarks.RedissonPeer peer, Latencies latencies) {
        this.variant = variant;
        this.collection = collection;
        this.rawBytes = rawBytes;
        this.peer = peer;
        this.decoder = collection.getCodecRegistry().get(Document.class);
        this.latencies = latencies;
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        long start = System.nanoTime();
        Document doc;
        if (variant == Variant.PEER) {
            byte[] bytes = peer.read(rawBytes, key, key);
            doc = bytes == null ? null : BsonBytes.decode(bytes, decoder);
        } else {
            doc = collection.find(eq("_id", key)).first();
        }
        latencies.record(Latencies.Kind.READ, System.nanoTime() - start);
        return doc == null ? Status.NOT_FOUND : Status.OK;
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        List<Bson> sets = new ArrayList<>(values.size());
        for (Map.Entry<String, ByteIterator> e : values.entrySet()) {
            sets.add(Updates.set(e.getKey(), e.getValue().toString()));
        }
        Bson update = sets.size() == 1 ? sets.get(0) : Updates.combine(sets);
        long start = System.nanoTime();
        if (variant == Variant.PEER) {
            peer.write(rawBytes, key, key, update);
        } else {
            collection.updateOne(eq("_id", key), update);
        }
        latencies.record(Latencies.Kind.UPDATE, System.nanoTime() - start);
        return Status.OK;
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        Document doc = new Document("_id", key);
        for (Map.Entry<String, ByteIterator> e : values.entrySet()) {
            doc.append(e.getKey(), e.getValue().toString());
        }
        long start = System.nanoTime();
        collection.insertOne(doc);
        latencies.record(Latencies.Kind.INSERT, System.nanoTime() - start);
        return Status.OK;
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        return Status.NOT_IMPLEMENTED;
    }

    @Override
    public Status delete(String table, String key) {
        return Status.NOT_IMPLEMENTED;
    }
}

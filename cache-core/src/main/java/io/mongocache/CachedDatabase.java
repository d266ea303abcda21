package io.mongocache;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoDatabase;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * A {@link MongoDatabase} whose collections are cached ({@link MongoCache#wrap(MongoDatabase)}): for code that is
 * handed a database and takes its collections itself — a template, a framework's database factory. Every
 * {@code getCollection} returns a {@link CachedCollection}; every {@code with…} returns a cached database again.
 *
 * <p>What the database does itself: {@code drop} invalidates the database on every node once it ran; a
 * database-level {@code aggregate} whose last stage is {@code $out}/{@code $merge} invalidates its target once a
 * terminal ran; {@code runCommand} with a command known to be read-only ({@code ping}, {@code hello},
 * {@code listCollections}, {@code dbStats}, …) passes through, and any other command — it may write — invalidates
 * the database after it ran. {@code createCollection}, {@code createView}, {@code listCollections} and
 * {@code watch} pass through. A method a newer driver adds passes through and, unless its name says it reads,
 * invalidates the database.
 */
@ThreadSafe
public interface CachedDatabase extends MongoDatabase {

    @Override
    CachedCollection<Document> getCollection(String collectionName);

    @Override
    <T> CachedCollection<T> getCollection(String collectionName, Class<T> documentClass);

    @Override
    CachedDatabase withCodecRegistry(CodecRegistry codecRegistry);

    @Override
    CachedDatabase withReadPreference(ReadPreference readPreference);

    @Override
    CachedDatabase withWriteConcern(WriteConcern writeConcern);

    @Override
    CachedDatabase withReadConcern(ReadConcern readConcern);

    @Override
    CachedDatabase withTimeout(long timeout, TimeUnit timeUnit);

    /** The driver database underneath. Collections taken from it are not cached, and their writes not seen. */
    MongoDatabase unwrap();
}

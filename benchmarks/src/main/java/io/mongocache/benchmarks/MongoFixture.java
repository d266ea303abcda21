package io.mongocache.benchmarks;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongocache.testing.LatencyProxyProcess;
import io.mongocache.testing.MongoServerProcess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import static com.mongodb.client.model.Filters.eq;

/**
 * A private MongoDB server in its own process ({@link MongoServerProcess}: the in-process server in a JVM of its
 * own, so it shares no heap, GC or JIT threads with the benchmark) holding {@code bench.users}, a collection of
 * {@link Users} profiles, plus a driver client on it. One per benchmark trial.
 */
public final class MongoFixture implements AutoCloseable {

    public static final String DATABASE = "bench";
    public static final String COLLECTION = "users";
    public static final String NAMESPACE = DATABASE + "." + COLLECTION;

    private final MongoServerProcess server;
    private final @Nullable LatencyProxyProcess link;
    private final MongoClient client;
    private final MongoCollection<Document> users;
    private final List<ObjectId> ids;

    private MongoFixture(MongoServerProcess server, @Nullable LatencyProxyProcess link, MongoClient client,
            MongoCollection<Document> users, List<ObjectId> ids) {
        this.server = server;
        this.link = link;
        this.client = client;
        this.users = users;
        this.ids = ids;
    }

    /** Starts a server and loads {@code docs} users into {@code bench.users}. */
    public static MongoFixture start(int docs) {
        return start(docs, Network.LOOPBACK);
    }

    /** Like {@link #start(int)}, the client reaching the server over {@code network}. */
    public static MongoFixture start(int docs, Network network) {
        MongoServerProcess server = MongoServerProcess.start("2g", false);
        LatencyProxyProcess link = null;
        try {
            link = network.link(server.port());
            MongoClient client = link == null ? server.newClient()
                    : MongoClients.create("mongodb://127.0.0.1:" + link.port());
            MongoCollection<Document> users = client.getDatabase(DATABASE).getCollection(COLLECTION);
            List<ObjectId> ids = Users.load(users, docs, Users.SEED);
            return new MongoFixture(server, link, client, users, List.copyOf(ids));
        } catch (RuntimeException | Error e) {
            if (link != null) {
                link.close();
            }
            server.close();
            throw e;
        }
    }

    /** The raw driver collection (no cache). */
    public MongoCollection<Document> users() {
        return users;
    }

    /** The {@code _id}s in insertion order. */
    public List<ObjectId> ids() {
        return ids;
    }

    /** The {@code _id}s in a random order fixed by {@code seed}, so every variant reads the same sequence. */
    public ObjectId[] shuffledIds(long seed) {
        List<ObjectId> copy = new ArrayList<>(ids);
        Collections.shuffle(copy, new Random(seed));
        return copy.toArray(ObjectId[]::new);
    }

    /** The exact BSON bytes MongoDB returns for one user, as a driver reading raw documents sees them. */
    public byte[] rawBytes(ObjectId id) {
        RawBsonDocument raw = users.find(eq("_id", id), RawBsonDocument.class).first();
        if (raw == null) {
            throw new IllegalStateException("no user " + id);
        }
        java.nio.ByteBuffer buffer = raw.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            if (link != null) {
                link.close();
            }
            server.close();
        }
    }
}

package io.mongocache.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.result.UpdateResult;
import io.mongocache.MongoCache;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * How a session-bound factory routes calls: every collection call reaches the driver as its {@code ClientSession}
 * overload, through the cache's collection (reads pass through, writes invalidate). The driver side is a recording
 * fake — the routing is the logic under test; a real session needs a replica set (the example's SessionsIT).
 */
class SessionRoutingTest {
    /** Calls the fake driver collection saw: method name, and whether the session came first. */
    private final List<String> calls = new ArrayList<>();
    private final ClientSession session = fake(ClientSession.class, (p, m, a) -> switch (m.getName()) {
        case "hasActiveTransaction" -> false;
        case "hashCode" -> System.identityHashCode(p);
        case "equals" -> p == a[0];
        default -> null;
    });

    private static <T> T fake(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private Object settings(String name) {
        return switch (name) {
            case "getNamespace" -> new MongoNamespace("shop.orders");
            case "getName" -> "shop";
            case "getCodecRegistry" -> MongoClientSettings.getDefaultCodecRegistry();
            case "getReadPreference" -> ReadPreference.primary();
            case "getReadConcern" -> ReadConcern.DEFAULT;
            case "getWriteConcern" -> WriteConcern.ACKNOWLEDGED;
            case "getDocumentClass" -> Document.class;
            default -> null;
        };
    }

    @SuppressWarnings("unchecked")
    private MongoCollection<Document> collection() {
        return fake(MongoCollection.class, (p, m, a) -> {
            Object s = settings(m.getName());
            if (s != null || m.getName().startsWith("get")) {
                return s;
            }
            if (m.getName().equals("hashCode")) {
                return System.identityHashCode(p);
            }
            calls.add(m.getName() + (a != null && a.length > 0 && a[0] == session ? "(session, …)" : "(…)"));
            return switch (m.getName()) {
                case "updateOne" -> UpdateResult.acknowledged(1, 1L, null);
                case "countDocuments" -> 2L;
                default -> null;
            };
        });
    }

    private MongoDatabaseFactory driverFactory() {
        MongoCollection<Document> collection = collection();
        MongoDatabase database = fake(MongoDatabase.class, (p, m, a) -> m.getName().equals("getCollection")
                ? collection : m.getName().equals("hashCode") ? System.identityHashCode(p) : settings(m.getName()));
        return fake(MongoDatabaseFactory.class, (p, m, a) -> switch (m.getName()) {
            case "getMongoDatabase" -> database;
            case "getCodecRegistry" -> MongoClientSettings.getDefaultCodecRegistry();
            default -> null;
        });
    }

    @Test
    void shouldSendEveryCollectionCallWithTheSessionAndInvalidateItsWrites() {
        try (MongoCache cache = MongoCache.builder().build()) {
            CachingMongoDatabaseFactory factory = new CachingMongoDatabaseFactory(driverFactory(), cache, null);
            MongoCollection<Document> orders = factory.withSession(session).getMongoDatabase()
                    .getCollection("orders");
            orders.find(new Document("_id", 1));
            orders.countDocuments(new Document());
            orders.updateOne(new Document("_id", 1), new Document("$set", new Document("a", 1)));
            assertEquals(List.of("find(session, …)", "countDocuments(session, …)", "updateOne(session, …)"), calls);
            assertEquals(0, cache.stats().namespace("shop.orders").l1Hits() + cache.stats().namespace("shop.orders")
                    .loads(), "session reads never touch the cache");
            assertTrue(cache.stats().namespace("shop.orders").invalidations() >= 1, "the session write invalidated");
        }
    }

    @Test
    void shouldServeUnboundReadsThroughTheCache() {
        try (MongoCache cache = MongoCache.builder().build()) {
            CachingMongoDatabaseFactory factory = new CachingMongoDatabaseFactory(driverFactory(), cache, null);
            MongoCollection<Document> orders = factory.getMongoDatabase().getCollection("orders");
            assertTrue(orders instanceof io.mongocache.CachedCollection<?>, "a cached collection: " + orders);
            orders.updateOne(new Document("_id", 1), new Document("$set", new Document("a", 1)));
            assertEquals(List.of("updateOne(…)"), calls);
        }
    }
}

package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.MongoException;
import com.mongodb.MongoNamespace;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MapReduceIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.invalidation.Invalidation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every method the collection proxy dispatches (the kinds {@link CachedCollectionImpl} does not type), called through
 * the generated class on a fake driver collection: the driver gets the same arguments, the session included; a write
 * invalidates after the driver's call and before it returns — also when the call fails — exactly what its kind says;
 * a write with a session in a transaction is recorded on that session; a read invalidates nothing.
 */
class CollectionDispatchTest {
    private static final MongoNamespace OTHER = new MongoNamespace("db", "other");
    private static final String NS = FakeDriverCollection.NAMESPACE.getFullName();
    private static final Invalidation FILTERED_ID = Invalidation.documentsWithIds(NS, List.of(new BsonInt32(5)));
    private static final Invalidation INSERTED_ID = Invalidation.documentsWithIds(NS, List.of(new BsonInt32(7)));

    private DefaultMongoCache cache;
    private FakeDriverCollection driver;
    private CachedCollection<Document> cached;
    private final ClientSession session = fakeSession();

    @BeforeEach
    void setUp() {
        cache = (DefaultMongoCache) MongoCache.builder().build();
        driver = new FakeDriverCollection(this::invalidations);
        cached = cache.wrap(driver.collection());
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    private long invalidations() {
        return cache.stats().namespace(NS).invalidations();
    }

    private static ClientSession fakeSession() {
        return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                new Class<?>[] {ClientSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hasActiveTransaction" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Object[] arguments(Method method) throws ReflectiveOperationException {
        Class<?>[] types = method.getParameterTypes();
        Object[] arguments = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            arguments[i] = type == ClientSession.class ? session
                    : type == Bson.class ? Filters.eq("_id", 5)
                    : type == Object.class ? new Document("_id", 5)
                    : type == List.class ? List.of()
                    : type == String.class ? "name"
                    : type == Class.class ? Document.class
                    : type == MongoNamespace.class ? OTHER
                    : type.getSimpleName().endsWith("Options") ? type.getConstructor().newInstance()
                    : fail("no argument for " + type.getName() + " in " + method);
        }
        return arguments;
    }

    /** What a call of this method invalidates, by its kind (a read, or mapReduce before its iterable ran: nothing). */
    private static List<Invalidation> expected(Method method, MethodKind kind) {
        return switch (kind) {
            case FILTERED_WRITE -> List.of(FILTERED_ID);
            case RESULT_WRITE -> List.of(method.getName().equals("bulkWrite")
                    ? Invalidation.namespace(NS) // its canned result is unacknowledged
                    : INSERTED_ID);
            case NAMESPACE_WRITE -> method.getName().equals("renameCollection")
                    ? List.of(Invalidation.namespace(NS), Invalidation.namespace(OTHER.getFullName()))
                    : List.of(Invalidation.namespace(NS));
            case UNKNOWN -> CollectionRoutes.READ_ONLY_NAMES.contains(method.getName()) ? List.of()
                    : List.of(Invalidation.namespace(NS));
            default -> List.of();
        };
    }

    private static List<Method> dispatchedMethods() {
        List<Method> methods = new ArrayList<>();
        for (Method method : MongoCollection.class.getMethods()) {
            MethodKind kind = CollectionRoutes.classify(method);
            if (!Modifier.isStatic(method.getModifiers()) && kind != null && !kind.typed()) {
                methods.add(method);
            }
        }
        assertTrue(methods.size() > 100, "most of the interface is dispatched: " + methods.size());
        return methods;
    }

    private static boolean hasSession(Method method) {
        return method.getParameterCount() > 0 && method.getParameterTypes()[0] == ClientSession.class;
    }

    @Test
    void shouldPassEveryDispatchedCallThroughAndInvalidateWhatItsKindSaysBeforeReturning() throws Exception {
        for (Method method : dispatchedMethods()) {
            MethodKind kind = CollectionRoutes.classify(method);
            List<Invalidation> expected = expected(method, kind);
            long expectedHere = expected.stream().filter(i -> i.namespace().equals(NS)).count();
            Object[] arguments = arguments(method);
            long before = invalidations();
            driver.calls.clear();

            Object result = method.invoke(cached, arguments);

            String name = method.getName() + Arrays.toString(method.getParameterTypes());
            assertEquals(1, driver.calls.size(), name + ": one call of the driver");
            FakeDriverCollection.Call call = driver.calls.get(0);
            assertEquals(method, call.method(), name);
            assertArrayEquals(arguments, call.arguments(), name + ": the same arguments, the session included");
            assertEquals(before, call.invalidationsBefore(), name + ": nothing invalidated before the driver ran");
            assertEquals(before + expectedHere, invalidations(), name + ": invalidated before returning");
            if (kind == MethodKind.ANY_NAMESPACE_WRITE) {
                assertNotSame(call.answer(), result, name + ": the iterable is wrapped");
            } else {
                assertEquals(call.answer(), result, name + ": the driver's own result");
            }
            if (hasSession(method)) {
                assertEquals(expected, cache.sessionWrites().drain(session), name + ": recorded on the session");
            }
        }
    }

    @Test
    void shouldInvalidateAWriteThatFailed() throws Exception {
        driver.failure = new MongoException("refused");
        for (Method method : dispatchedMethods()) {
            MethodKind kind = CollectionRoutes.classify(method);
            long expectedHere = kind == MethodKind.FILTERED_WRITE || kind == MethodKind.RESULT_WRITE
                    ? 1 : expected(method, kind).stream().filter(i -> i.namespace().equals(NS)).count();
            long before = invalidations();
            try {
                method.invoke(cached, arguments(method));
                fail(method + " did not throw");
            } catch (InvocationTargetException e) {
                assertSame(driver.failure, e.getCause(), method.toString());
            }
            assertEquals(before + expectedHere, invalidations(), method.toString());
            cache.sessionWrites().drain(session);
        }
    }

    @Test
    void shouldInvalidateWhatAnUpsertInsertedFromItsResult() {
        cached.updateOne(session, Filters.eq("_id", 5), new Document("$set", new Document("v", 1)),
                new UpdateOptions().upsert(true));
        Invalidation both = Invalidation.documentsWithIds(NS, List.of(new BsonInt32(5), new BsonInt32(9)));
        assertEquals(List.of(both), cache.sessionWrites().drain(session));
        cached.findOneAndUpdate(session, Filters.eq("_id", 5), new Document("$set", new Document("v", 1)),
                new com.mongodb.client.model.FindOneAndUpdateOptions().upsert(true));
        assertEquals(List.of(Invalidation.namespace(NS)), cache.sessionWrites().drain(session),
                "a findOneAnd… upsert does not say what it inserted");
    }

    @Test
    @SuppressWarnings("deprecation")
    void shouldInvalidateEverythingEachTimeAMapReduceMayHaveRun() {
        CacheKey key = new KeyBuilder(NS, "find", Object.class, new org.bson.BsonDocument(),
                new org.bson.BsonDocument()).build();
        long[] loads = {0};
        Loader loader = cap -> ReadResult.complete(Payloads.ofLong(++loads[0]), null);
        cache.read(key, null, 0, loader);
        MapReduceIterable<Document> mapReduce = cached.mapReduce("function() {}", "function() {}");
        assertSame(mapReduce, mapReduce.batchSize(10).maxTime(1, TimeUnit.SECONDS), "options chain on the wrapper");
        cache.read(key, null, 0, loader);
        assertEquals(1, loads[0], "setting options runs nothing");
        mapReduce.first();
        cache.read(key, null, 0, loader);
        assertEquals(2, loads[0], "running it invalidated everything");
    }
}

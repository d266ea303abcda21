package io.mongocache.internal;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.bson.BsonInt32;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

/**
 * A driver collection without a server, for the proxy's unit tests: fixed settings, canned answers (inserts name id
 * 7, an upsert id 9), and every call recorded — with the namespace's invalidations at that moment — including the
 * calls on the iterables it returns, whose fluent methods return themselves and whose terminals return null.
 */
final class FakeDriverCollection {
    static final MongoNamespace NAMESPACE = new MongoNamespace("db", "c");

    /** A call the fake received. */
    record Call(Method method, Object[] arguments, long invalidationsBefore, @Nullable Object answer) {}

    final List<Call> calls = new ArrayList<>();
    /** When set, every operation throws it. */
    @Nullable RuntimeException failure;
    private final LongSupplier invalidations;

    /** @param invalidations the namespace's invalidations so far, recorded with each call */
    FakeDriverCollection(LongSupplier invalidations) {
        this.invalidations = invalidations;
    }

    @SuppressWarnings("unchecked")
    MongoCollection<Document> collection() {
        return (MongoCollection<Document>) Proxy.newProxyInstance(MongoCollection.class.getClassLoader(),
                new Class<?>[] {MongoCollection.class}, (proxy, method, args) -> {
                    Object[] arguments = args == null ? new Object[0] : args;
                    switch (method.getName()) {
                        case "getNamespace": return NAMESPACE;
                        case "getDocumentClass": return Document.class;
                        case "getCodecRegistry": return MongoClientSettings.getDefaultCodecRegistry();
                        case "getReadPreference": return ReadPreference.primary();
                        case "getReadConcern": return ReadConcern.DEFAULT;
                        case "getWriteConcern": return WriteConcern.ACKNOWLEDGED;
                        case "getTimeout": return null;
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == arguments[0];
                        case "toString": return "fake " + NAMESPACE;
                        default: return record(method, arguments, answer(method));
                    }
                });
    }

    /** The calls of one method name, in order. */
    List<Call> callsOf(String name) {
        return calls.stream().filter(c -> c.method().getName().equals(name)).toList();
    }

    private @Nullable Object record(Method method, Object[] arguments, @Nullable Object answer) {
        calls.add(new Call(method, arguments, invalidations.getAsLong(), answer));
        if (failure != null) {
            throw failure;
        }
        return answer;
    }

    private @Nullable Object answer(Method method) {
        Class<?> type = method.getReturnType();
        if (type == InsertOneResult.class) {
            return InsertOneResult.acknowledged(new BsonInt32(7));
        }
        if (type == InsertManyResult.class) {
            return InsertManyResult.acknowledged(Map.of(0, new BsonInt32(7)));
        }
        if (type == BulkWriteResult.class) {
            return BulkWriteResult.unacknowledged();
        }
        if (type == UpdateResult.class) {
            return UpdateResult.acknowledged(1, 1L, new BsonInt32(9));
        }
        if (type == DeleteResult.class) {
            return DeleteResult.acknowledged(1);
        }
        if (type == long.class) {
            return 3L;
        }
        if (type == String.class) {
            return "index";
        }
        if (type == List.class) {
            return List.of("index");
        }
        if (type == Object.class) {
            return new Document("_id", 7); // a findOneAnd…'s document
        }
        if (type == void.class) {
            return null;
        }
        if (type.isInterface()) {
            return iterable(type);
        }
        throw new AssertionError("no canned answer for " + method);
    }

    /** A driver iterable that records its calls: fluent methods return it, terminals return null. */
    private Object iterable(Class<?> type) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object[] arguments = args == null ? new Object[0] : args;
            switch (method.getName()) {
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == arguments[0];
                case "toString": return "fake " + type.getSimpleName();
                default:
            }
            Class<?> returned = method.getReturnType();
            return record(method, arguments, returned != Object.class && returned.isInstance(proxy) ? proxy : null);
        });
    }
}

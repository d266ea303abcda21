package io.mongocache.pooling.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@code MongoDatabase} (and the collections taken from it) that resolves the pool's current client on every
 * call, so a handle obtained before a pool auto-closed keeps working: the next call reopens the pool. Collections
 * remember how they were derived ({@code getCollection}, {@code with…}) and re-derive from the live database.
 */
public final class ReopeningProxies {
    private ReopeningProxies() {}

    public static MongoDatabase database(Supplier<MongoDatabase> live) {
        return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(),
                new Class<?>[] {MongoDatabase.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args, "ReopeningDatabase");
                    }
                    if (method.getReturnType() == MongoDatabase.class) {
                        // withCodecRegistry, withReadPreference, …: derive lazily from the live database too.
                        return database(() -> (MongoDatabase) call(method, live.get(), args));
                    }
                    if (method.getReturnType() == MongoCollection.class && method.getName().equals("getCollection")) {
                        return collection(() -> (MongoCollection<?>) call(method, live.get(), args));
                    }
                    return call(method, live.get(), args);
                });
    }

    static MongoCollection<?> collection(Supplier<MongoCollection<?>> live) {
        return (MongoCollection<?>) Proxy.newProxyInstance(MongoCollection.class.getClassLoader(),
                new Class<?>[] {MongoCollection.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args, "ReopeningCollection");
                    }
                    if (method.getReturnType() == MongoCollection.class) {
                        Function<MongoCollection<?>, Object> derive = c -> call(method, c, args);
                        return collection(() -> (MongoCollection<?>) derive.apply(live.get()));
                    }
                    return call(method, live.get(), args);
                });
    }

    static Object objectMethod(Object proxy, Method method, Object[] args, String name) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> name + "@" + Integer.toHexString(System.identityHashCode(proxy));
        };
    }

    static Object call(Method method, Object target, Object[] args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.mongocache.pooling.internal;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCluster;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool's {@code MongoClient} as it is handed out: every call passes through, but the sessions it starts (also
 * through {@code with…} views of it) are counted until they close, so auto-close leaves a pool with an open
 * session alone — a session, and a transaction in it, works only on the client that started it.
 *
 * <p>Concurrency: the count is atomic; a session closed twice counts once. Failure modes: a session the
 * application never closes holds its pool open until the pool is closed on purpose ({@code disconnect},
 * {@code close}); a session that failed to start is not counted.
 */
final class SessionCounting {
    private SessionCounting() {}

    static MongoClient client(MongoClient client, AtomicInteger openSessions) {
        return (MongoClient) counting(MongoClient.class, client, openSessions, "SessionCountingClient");
    }

    private static Object counting(Class<?> type, Object target, AtomicInteger openSessions, String name) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return ReopeningProxies.objectMethod(proxy, method, args, name);
            }
            Object result = ReopeningProxies.call(method, target, args);
            if (result instanceof ClientSession session) {
                openSessions.incrementAndGet();
                return counted(session, openSessions);
            }
            if (method.getReturnType() == MongoCluster.class) {
                return counting(MongoCluster.class, result, openSessions, "SessionCountingCluster");
            }
            return result;
        });
    }

    private static ClientSession counted(ClientSession session, AtomicInteger openSessions) {
        AtomicBoolean closed = new AtomicBoolean();
        return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                new Class<?>[] {ClientSession.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return ReopeningProxies.objectMethod(proxy, method, args, "CountedSession");
                    }
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        try {
                            return ReopeningProxies.call(method, session, args);
                        } finally {
                            if (closed.compareAndSet(false, true)) {
                                openSessions.decrementAndGet();
                            }
                        }
                    }
                    return ReopeningProxies.call(method, session, args);
                });
    }
}

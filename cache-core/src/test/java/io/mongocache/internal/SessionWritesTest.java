package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.ClientSession;
import io.mongocache.MongoCache;
import io.mongocache.invalidation.Invalidation;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The decision logic of transactional invalidation, with a fake session (the in-process server has none). */
class SessionWritesTest {

    /** A fake session: only the transaction state and withTransaction are real. */
    private static ClientSession fakeSession(AtomicBoolean inTransaction) {
        return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                new Class<?>[] {ClientSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hasActiveTransaction" -> inTransaction.get();
                    case "withTransaction" -> {
                        inTransaction.set(true);
                        try {
                            yield ((com.mongodb.client.TransactionBody<?>) args[0]).execute();
                        } finally {
                            inTransaction.set(false);
                        }
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void shouldRememberOnlyWritesMadeInATransaction() {
        SessionWrites writes = new SessionWrites();
        AtomicBoolean active = new AtomicBoolean(false);
        ClientSession session = fakeSession(active);
        writes.within(session, () -> writes.record(Invalidation.namespace("db.a")));
        assertEquals(List.of(), writes.drain(session), "no transaction: nothing to replay");
        active.set(true);
        writes.within(session, () -> writes.record(Invalidation.documentsWithIds("db.a", List.of(new org.bson.BsonInt32(3)))));
        writes.record(Invalidation.namespace("db.outside")); // no session on this thread
        assertEquals(List.of(Invalidation.documentsWithIds("db.a", List.of(new org.bson.BsonInt32(3)))), writes.drain(session));
        assertEquals(List.of(), writes.drain(session), "drained once");
    }

    @Test
    void shouldInvalidateAgainAfterTheTransactionEndsEvenWhenItFails() {
        try (DefaultMongoCache cache = (DefaultMongoCache) MongoCache.builder().build()) {
            AtomicBoolean active = new AtomicBoolean(false);
            ClientSession session = fakeSession(active);
            CacheKey key = new KeyBuilder("db.t", "find", Object.class, new org.bson.BsonDocument(),
                    new org.bson.BsonDocument()).build();
            // A read during the transaction caches the pre-commit value ...
            Runnable cacheValue = () -> cache.read(key, null, 0, cap -> ReadResult.complete(Payloads.ofLong(1), null));
            String result = cache.transaction(session, () -> {
                cache.sessionWrites().within(session, () -> cache.invalidate(Invalidation.namespace("db.t")));
                cacheValue.run();
                return "done";
            });
            assertEquals("done", result);
            // ... and the invalidation after the commit retires it: the next read loads.
            long value = Payloads.toLong(cache.read(key, null, 0,
                    cap -> ReadResult.complete(Payloads.ofLong(2), null)).payload());
            assertEquals(2, value);
            assertThrows(IllegalStateException.class, () -> cache.transaction(session, () -> {
                cache.sessionWrites().within(session, () -> cache.invalidate(Invalidation.namespace("db.t")));
                cacheValue.run();
                throw new IllegalStateException("abort");
            }));
            // Two transactions, each invalidated when it wrote and once more when it ended.
            assertEquals(4, cache.stats().namespace("db.t").invalidations());
            assertTrue(cache.sessionWrites().drain(session).isEmpty());
        }
    }

    @Test
    void shouldForgetSessionsTheApplicationDropped() throws InterruptedException {
        SessionWrites writes = new SessionWrites();
        AtomicBoolean active = new AtomicBoolean(true);
        for (int i = 0; i < 1_000; i++) {
            // Transactions committed directly on the session, never drained: the lists stay until the session goes.
            ClientSession session = fakeSession(active);
            writes.within(session, () -> writes.record(Invalidation.namespace("db.a")));
        }
        ClientSession kept = fakeSession(active);
        writes.within(kept, () -> writes.record(Invalidation.namespace("db.kept")));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (writes.sessions() > 1 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(1, writes.sessions(), "only the session still referenced keeps its list");
        assertEquals(List.of(Invalidation.namespace("db.kept")), writes.drain(kept));
    }
}

package io.mongocache.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.ClientSession;
import io.mongocache.MongoCache;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The decision of {@link CachingMongoDatabaseFactory#withSession}: one synchronization per session and Spring
 * transaction, calling {@code MongoCache.afterTransaction} once the transaction completed; none outside a Spring
 * transaction or without an active MongoDB transaction. Fakes stand in for the session, the cache and the factory:
 * this is the pure decision (the end-to-end path runs in the example's TransactionIT on a replica set).
 */
class AfterTransactionTest {
    private final List<Object> afterTransaction = new ArrayList<>();

    @AfterEach
    void clear() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
        new ArrayList<>(TransactionSynchronizationManager.getResourceMap().keySet())
                .forEach(TransactionSynchronizationManager::unbindResource);
    }

    private static <T> T fake(Class<T> type, java.lang.reflect.InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private ClientSession session(boolean inTransaction) {
        return fake(ClientSession.class, (p, m, a) -> switch (m.getName()) {
            case "hasActiveTransaction" -> inTransaction;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == a[0];
            default -> null;
        });
    }

    private CachingMongoDatabaseFactory factory() {
        MongoCache cache = fake(MongoCache.class, (p, m, a) -> {
            if (m.getName().equals("afterTransaction")) {
                afterTransaction.add(a[0]);
            }
            return m.getName().equals("hashCode") ? System.identityHashCode(p) : null;
        });
        MongoDatabaseFactory delegate = fake(MongoDatabaseFactory.class, (p, m, a) -> null);
        return new CachingMongoDatabaseFactory(delegate, cache, null);
    }

    @Test
    void shouldInvalidateOnceMoreAfterTheSpringTransactionCompleted() {
        TransactionSynchronizationManager.initSynchronization();
        CachingMongoDatabaseFactory factory = factory();
        ClientSession session = session(true);
        factory.withSession(session);
        factory.withSession(session);
        List<TransactionSynchronization> registered = TransactionSynchronizationManager.getSynchronizations();
        assertEquals(1, registered.size(), "one synchronization per session and transaction");
        assertTrue(afterTransaction.isEmpty(), "nothing before the transaction ends");
        registered.get(0).afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
        assertEquals(1, afterTransaction.size());
        assertSame(session, afterTransaction.get(0));
        assertTrue(TransactionSynchronizationManager.getResourceMap().isEmpty(), "its marker is unbound");
    }

    @Test
    void shouldInvalidateAfterARollbackToo() {
        TransactionSynchronizationManager.initSynchronization();
        ClientSession session = session(true);
        factory().withSession(session);
        TransactionSynchronizationManager.getSynchronizations().get(0)
                .afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK);
        assertEquals(List.of(session), afterTransaction);
    }

    @Test
    void shouldRegisterNothingWithoutASpringTransactionOrAMongoTransaction() {
        factory().withSession(session(true));
        assertTrue(!TransactionSynchronizationManager.isSynchronizationActive());
        TransactionSynchronizationManager.initSynchronization();
        factory().withSession(session(false));
        assertTrue(TransactionSynchronizationManager.getSynchronizations().isEmpty(),
                "a session without a MongoDB transaction has nothing to repeat");
    }

    @Test
    void shouldKeepTwoSessionsApart() {
        TransactionSynchronizationManager.initSynchronization();
        CachingMongoDatabaseFactory factory = factory();
        factory.withSession(session(true));
        factory.withSession(session(true));
        assertEquals(2, TransactionSynchronizationManager.getSynchronizations().size());
    }
}

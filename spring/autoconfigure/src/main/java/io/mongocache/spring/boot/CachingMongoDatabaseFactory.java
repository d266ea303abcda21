package io.mongocache.spring.boot;

import com.mongodb.ClientSessionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.CachedDatabase;
import io.mongocache.MongoCache;
import java.util.function.Function;
import org.bson.codecs.configuration.CodecRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.support.PersistenceExceptionTranslator;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.SessionAwareMethodInterceptor;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The application's {@link MongoDatabaseFactory} with cached databases: what it hands to {@code MongoTemplate} (and
 * so to every repository) is {@link MongoCache#wrap(MongoDatabase)} of what the original factory returns — or, when
 * {@code MongoPools} is configured, of the pool's database with the factory's codec registry — so every collection
 * Spring Data takes is cached, including the views {@code withReadPreference}/{@code withWriteConcern}/
 * {@code withCodecRegistry} return.
 *
 * <p>Sessions ({@code @Transactional} with {@code MongoTransactionManager}, {@code MongoTemplate.withSession}): the
 * session-bound factory routes every call to the session overload of the cached collection, the same way Spring
 * Data's own session binding does. Reads with a session bypass the cache (a transaction must see its own writes);
 * writes are recorded on the session, and when a Spring transaction is active a synchronization calls
 * {@link MongoCache#afterTransaction} once it completed, so what the transaction wrote is invalidated again after
 * the commit — retiring anything another thread cached from before the commit in between.
 *
 * <p>Concurrency: immutable; safe to share like the factory it wraps.
 */
public final class CachingMongoDatabaseFactory implements MongoDatabaseFactory {
    private final MongoDatabaseFactory delegate;
    private final MongoCache cache;
    private final @Nullable Function<String, MongoDatabase> pools;

    /**
     * @param pools where databases come from instead of the delegate (MongoPools' {@code database}), or null
     */
    public CachingMongoDatabaseFactory(MongoDatabaseFactory delegate, MongoCache cache,
            @Nullable Function<String, MongoDatabase> pools) {
        this.delegate = delegate;
        this.cache = cache;
        this.pools = pools;
    }

    /** The cache this factory's databases read through. */
    public MongoCache cache() {
        return cache;
    }

    /** The factory this one wraps. */
    public MongoDatabaseFactory unwrap() {
        return delegate;
    }

    @Override
    public MongoDatabase getMongoDatabase() throws DataAccessException {
        return cached(delegate.getMongoDatabase());
    }

    @Override
    public MongoDatabase getMongoDatabase(String dbName) throws DataAccessException {
        return cached(delegate.getMongoDatabase(dbName));
    }

    private CachedDatabase cached(MongoDatabase database) {
        if (pools == null) {
            return cache.wrap(database);
        }
        // The pool's database with the settings Spring gave its own (codec registry, read preference and concern,
        // write concern), so only the connections differ.
        return cache.wrap(pools.apply(database.getName()).withCodecRegistry(database.getCodecRegistry())
                .withReadPreference(database.getReadPreference()).withReadConcern(database.getReadConcern())
                .withWriteConcern(database.getWriteConcern()));
    }

    @Override
    public PersistenceExceptionTranslator getExceptionTranslator() {
        return delegate.getExceptionTranslator();
    }

    @Override
    public CodecRegistry getCodecRegistry() {
        return delegate.getCodecRegistry();
    }

    @Override
    public ClientSession getSession(ClientSessionOptions options) {
        return delegate.getSession(options);
    }

    @Override
    public MongoDatabaseFactory withSession(ClientSession session) {
        afterTransactionOf(session);
        return new SessionBound(session, this);
    }

    @Override
    public boolean isTransactionActive() {
        return false;
    }

    /** Once per session and Spring transaction: invalidate the transaction's writes again after it completed. */
    private void afterTransactionOf(ClientSession session) {
        if (!session.hasActiveTransaction() || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        SessionKey key = new SessionKey(cache, session);
        if (TransactionSynchronizationManager.hasResource(key)) {
            return;
        }
        TransactionSynchronizationManager.bindResource(key, Boolean.TRUE);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(key);
                cache.afterTransaction(session);
            }
        });
    }

    /** The key of "this session's transaction already has its synchronization", per cache. */
    private record SessionKey(MongoCache cache, ClientSession session) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SessionKey k && k.cache == cache && k.session == session;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(cache) * 31 + System.identityHashCode(session);
        }
    }

    /** A factory bound to one session: every database and collection call goes to its session overload. */
    private record SessionBound(ClientSession session, CachingMongoDatabaseFactory factory)
            implements MongoDatabaseFactory {
        @Override
        public MongoDatabase getMongoDatabase() throws DataAccessException {
            return proxy(factory.getMongoDatabase(), MongoDatabase.class);
        }

        @Override
        public MongoDatabase getMongoDatabase(String dbName) throws DataAccessException {
            return proxy(factory.getMongoDatabase(dbName), MongoDatabase.class);
        }

        @Override
        public PersistenceExceptionTranslator getExceptionTranslator() {
            return factory.getExceptionTranslator();
        }

        @Override
        public CodecRegistry getCodecRegistry() {
            return factory.getCodecRegistry();
        }

        @Override
        public ClientSession getSession(ClientSessionOptions options) {
            return factory.getSession(options);
        }

        @Override
        public MongoDatabaseFactory withSession(ClientSession other) {
            return factory.withSession(other);
        }

        @Override
        public boolean isTransactionActive() {
            return session.hasActiveTransaction();
        }

        private MongoDatabase database(com.mongodb.session.ClientSession s, MongoDatabase database) {
            return proxy(database, MongoDatabase.class);
        }

        private MongoCollection<?> collection(com.mongodb.session.ClientSession s, MongoCollection<?> collection) {
            return proxy(collection, MongoCollection.class);
        }

        private <T> T proxy(T target, Class<T> type) {
            ProxyFactory proxyFactory = new ProxyFactory();
            proxyFactory.setTarget(target);
            proxyFactory.setInterfaces(type);
            proxyFactory.setOpaque(true);
            proxyFactory.addAdvice(new SessionAwareMethodInterceptor<>(session, target, ClientSession.class,
                    MongoDatabase.class, this::database, MongoCollection.class, this::collection));
            return type.cast(proxyFactory.getProxy(target.getClass().getClassLoader()));
        }
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mongocache.CachedCollection;
import io.mongocache.MongoCache;
import io.mongocache.pooling.MongoPools;
import io.mongocache.pooling.PoolOptions;
import io.mongocache.pooling.PoolStats;
import io.mongocache.pooling.TransactionSettings;
import io.mongocache.testing.TestMongo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The cache and the pool manager through one handle: {@code users.db(name)} lands on the database's own pool. */
class CacheOverPoolsIT {

    @Test
    void shouldServeEachTenantFromItsOwnPoolWithItsOwnCacheEntries() {
        String home = TestMongo.uniqueDatabaseName("home");
        String tenant = TestMongo.uniqueDatabaseName("tenant");
        try (MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(tenant, PoolOptions.builder().maxConnections(2).build()).build();
                MongoCache cache = MongoCache.builder().databases(pools::database).build()) {
            CachedCollection<Document> users = cache.wrap(pools.database(home).getCollection("users"));
            users.insertOne(new Document("_id", 1).append("name", "home"));
            CachedCollection<Document> tenantUsers = users.db(tenant);
            tenantUsers.insertOne(new Document("_id", 1).append("name", "tenant"));
            assertEquals("tenant", tenantUsers.find(eq("_id", 1)).first().getString("name"));
            assertEquals("tenant", tenantUsers.find(eq("_id", 1)).first().getString("name"));
            assertEquals("home", users.find(eq("_id", 1)).first().getString("name"));
            assertEquals(1, cache.stats().namespace(tenant + ".users").l1Hits());
            PoolStats tenantPool = pools.stats().pools().stream().filter(p -> p.pool().equals(tenant)).findFirst()
                    .orElseThrow();
            assertEquals("OPEN", tenantPool.state());
            assertTrue(tenantPool.connections() >= 1 && tenantPool.connections() <= 2, tenantPool.toString());
            tenantUsers.updateOne(eq("_id", 1), set("name", "renamed"));
            assertEquals("renamed", tenantUsers.find(eq("_id", 1)).first().getString("name"));
            pools.database(home).drop();
            pools.database(tenant).drop();
        }
    }

    @Test
    void shouldFlushTheCacheWhenADatabaseIsDroppedOrReplacedThroughThePools() {
        String db = TestMongo.uniqueDatabaseName("dropped");
        String copy = TestMongo.uniqueDatabaseName("copy");
        try (MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString()).build();
                MongoCache cache = MongoCache.builder().databases(pools::database).build()) {
            pools.onDatabaseChanged(cache::invalidateDatabase);
            CachedCollection<Document> c = cache.wrap(pools.database(db).getCollection("c"));
            c.insertOne(new Document("_id", 1).append("v", "before"));
            assertEquals(1, c.countDocuments());
            pools.bulk().copyDatabase(db, copy);
            assertEquals("before", c.db(copy).find(eq("_id", 1)).first().getString("v"));
            pools.bulk().dropDatabase(db);
            assertEquals(0, c.countDocuments(), "the cached count of the dropped database is gone");
            String export = pools.bulk().export(copy);
            pools.bulk().importInto(db, export);
            assertEquals(1, c.countDocuments());
            pools.bulk().dropDatabase(db);
            pools.bulk().dropDatabase(copy);
        }
    }

    @Test
    void shouldInvalidateAgainAfterAPoolTransactionCommits() {
        assumeTrue(TestMongo.supportsTransactions(), "needs a replica set (MONGODB_URI or Docker)");
        String db = TestMongo.uniqueDatabaseName("tx");
        try (MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString()).build();
                MongoCache cache = MongoCache.builder().databases(pools::database).build()) {
            CachedCollection<Document> c = cache.wrap(pools.database(db).getCollection("c"));
            c.insertOne(new Document("_id", 1).append("v", 0));
            assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
            pools.transaction(session -> {
                c.updateOne(session, eq("_id", 1), set("v", 1));
                assertEquals(0, CompletableFuture.supplyAsync(() -> c.find(eq("_id", 1)).first().getInteger("v"))
                        .join(), "outside the transaction the old value is read, and cached");
                return null;
            }, TransactionSettings.defaults().onEnd(cache::afterTransaction));
            assertEquals(1, c.find(eq("_id", 1)).first().getInteger("v"));
            pools.database(db).drop();
        }
    }
}

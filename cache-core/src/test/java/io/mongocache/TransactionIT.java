package io.mongocache;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.TestMongo;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Sessions against a real server (skipped on the in-process server, which has no sessions: the decision logic is
 * unit-tested in SessionWritesTest). Reads with a session bypass the cache; a transaction's writes are
 * invalidated when made and again after the commit.
 */
class TransactionIT {

    @Test
    void shouldServeCommittedDataAfterATransactionThroughTheCache() throws Exception {
        assumeTrue(TestMongo.supportsTransactions(), "needs a replica set (MONGODB_URI or Docker)");
        MongoClient client = TestMongo.client();
        MongoDatabase db = client.getDatabase(TestMongo.uniqueDatabaseName("tx"));
        try (MongoCache cache = MongoCache.builder().build(); ClientSession session = client.startSession()) {
            MongoCollection<Document> raw = db.getCollection("c");
            raw.insertOne(new Document("_id", 1).append("v", 0));
            CachedCollection<Document> c = cache.wrap(raw);
            assertEquals(0, c.find(eq("_id", 1)).first().getInteger("v"));
            cache.transaction(session, () -> {
                c.updateOne(session, eq("_id", 1), set("v", 1));
                assertEquals(1, c.find(session, eq("_id", 1)).first().getInteger("v"), "session reads bypass");
                // Another thread reads outside the transaction: it sees (and caches) the pre-commit value.
                int outside = CompletableFuture.supplyAsync(() -> c.find(eq("_id", 1)).first().getInteger("v")).join();
                assertEquals(0, outside);
                return null;
            });
            assertEquals(1, c.find(eq("_id", 1)).first().getInteger("v"), "the committed value, not the cached one");
        } finally {
            db.drop();
        }
    }
}

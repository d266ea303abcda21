package io.mongocache.pooling.bulk;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The shared fixture of the bulk-task integration tests: fresh databases, dropped after each test. */
abstract class BulkIntegrationTest {
    final MongoClient client = TestMongo.client();
    private final List<String> databases = new ArrayList<>();

    @AfterEach
    void dropDatabases() {
        BulkTasks dropper = new BulkTasks(client::getDatabase);
        databases.forEach(dropper::dropDatabase);
    }

    /** A database with a unique name, dropped after the test. */
    MongoDatabase newDatabase(String prefix) {
        String name = TestMongo.uniqueDatabaseName(prefix);
        databases.add(name);
        return client.getDatabase(name);
    }
}

package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.testing.TestMongo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Driver events become log lines: slow commands (opt in) with name, database and time, nothing of their content. */
class DriverLogIT {

    @Test
    void shouldLogSlowCommandsWithoutTheirContent() {
        String db = TestMongo.uniqueDatabaseName("slowlog");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString())
                .slowCommandThreshold(Duration.ZERO).build()) {
            pools.database(db).getCollection("c").insertOne(new Document("secret", "s3cr3t-value"));
            pools.database(db).drop();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("slow command insert on " + db), log);
        assertTrue(!log.contains("s3cr3t-value"), "command content must not be logged: " + log);
    }
}

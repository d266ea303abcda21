package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import io.mongocache.MongoCache;
import io.mongocache.MongoCacheConfigurationException;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.TestMongo;
import org.junit.jupiter.api.Test;

/**
 * A deployment older than MongoDB 4.2 cannot judge leases and heartbeats by its own clock ({@code $$NOW}): the
 * Coordinator refuses to start there, naming the version it needs and the one it found, instead of starting and
 * failing every lease attempt. The in-process server, told to report MongoDB 4.0, stands in for one.
 */
class OldServerIT {

    @Test
    void shouldRefuseToStartOnMongo40NamingTheVersionItNeeds() {
        try (MongoServerHandle server = TestMongo.startInProcessReportingMongo40();
                MongoClient client = server.newClient();
                MongoCache cache = MongoCache.builder().build()) {
            MongoCacheConfigurationException refused = assertThrows(MongoCacheConfigurationException.class,
                    () -> Coordinator.builder().client(client).cache(cache).stateDatabase("state").start());
            String message = refused.getMessage();
            assertTrue(message.startsWith("stateDatabase('state'): "), message);
            assertTrue(message.contains("MongoDB 4.2 or newer"), message);
            assertTrue(message.contains("wire version 7"), "the driver's own words: " + message);
        }
    }

    @Test
    void shouldStartOnTheDefaultInProcessServer() {
        try (MongoServerHandle server = TestMongo.startInProcess(); MongoClient client = server.newClient();
                MongoCache cache = MongoCache.builder().build();
                Coordinator coordinator = Coordinator.builder().client(client).cache(cache).stateDatabase("state")
                        .start()) {
            assertTrue(coordinator.peers().size() <= 1, "started: " + coordinator.peers());
        }
    }
}

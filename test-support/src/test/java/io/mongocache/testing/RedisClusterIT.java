package io.mongocache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RedisClusterIT {

    @Test
    void sharedClusterServesKeysInEverySlotRange() {
        RedisCluster cluster = TestRedis.cluster();
        assertSame(cluster, TestRedis.cluster());
        assertEquals(3, cluster.nodes().size());
        assertEquals(cluster.nodes().get(0).uri(), cluster.seedUri());
        assertEquals(cluster.nodes().stream().map(RedisServer::uri).toList(), cluster.uris());

        RedisClusterClient client = RedisClusterClient.create(RedisURI.create(cluster.seedUri()));
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            Partitions partitions = connection.getPartitions();
            assertEquals(3, partitions.size());
            List<String> keys = List.of(keyOwnedBy(partitions, cluster.nodes().get(0)),
                    keyOwnedBy(partitions, cluster.nodes().get(1)), keyOwnedBy(partitions, cluster.nodes().get(2)));
            assertEquals(Set.of(cluster.nodes().get(0).port(), cluster.nodes().get(1).port(), cluster.nodes().get(2).port()),
                    keys.stream().map(key -> ownerPort(partitions, key)).collect(Collectors.toSet()));

            RedisAdvancedClusterCommands<String, String> redis = connection.sync();
            for (String key : keys) {
                redis.set(key, "value of " + key);
            }
            for (String key : keys) {
                assertEquals("value of " + key, redis.get(key));
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void killedNodeRejoinsEmptyAfterRestart() {
        try (RedisCluster cluster = RedisCluster.start()) {
            RedisServer second = cluster.nodes().get(1);
            RedisClusterClient client = RedisClusterClient.create(RedisURI.create(cluster.seedUri()));
            try {
                String keyOnSecond;
                try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                    keyOnSecond = keyOwnedBy(connection.getPartitions(), second);
                    connection.sync().set(keyOnSecond, "v");
                }
                int port = second.port();
                second.kill();
                second.restart();
                assertEquals(port, second.port());
                cluster.awaitClusterOk(Duration.ofSeconds(15));
                try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                    assertEquals(port, ownerPort(connection.getPartitions(), keyOnSecond), "the node kept its slots");
                    assertNull(connection.sync().get(keyOnSecond), "a restarted node has no data");
                    connection.sync().set(keyOnSecond, "again");
                    assertEquals("again", connection.sync().get(keyOnSecond));
                }
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    /** A key unique to this run whose slot the given node serves. */
    private static String keyOwnedBy(Partitions partitions, RedisServer node) {
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; ; i++) {
            String key = "RedisClusterIT:" + run + ":" + i;
            if (ownerPort(partitions, key) == node.port()) {
                return key;
            }
        }
    }

    private static int ownerPort(Partitions partitions, String key) {
        return partitions.getPartitionBySlot(SlotHash.getSlot(key)).getUri().getPort();
    }
}

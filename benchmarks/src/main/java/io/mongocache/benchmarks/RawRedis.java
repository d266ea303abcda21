package io.mongocache.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.mongocache.testing.RedisServer;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on loopback with one plain Lettuce byte-array connection to it: the raw Redis
 * baseline the L2-hit and write benchmarks measure against, on the same server the cache uses.
 */
final class RawRedis implements AutoCloseable {
    private final RedisServer server;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private RawRedis(RedisServer server, RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
        this.server = server;
        this.client = client;
        this.connection = connection;
    }

    static RawRedis start() {
        RedisServer server = RedisServer.start();
        try {
            RedisClient client = RedisClient.create(server.uri());
            return new RawRedis(server, client, client.connect(ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The server's URI, for the cache under test. */
    String uri() {
        return server.uri();
    }

    /** Synchronous commands on the baseline connection. */
    RedisCommands<byte[], byte[]> commands() {
        return connection.sync();
    }

    @Override
    public void close() {
        try {
            connection.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }
}

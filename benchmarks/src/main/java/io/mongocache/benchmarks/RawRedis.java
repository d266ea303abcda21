package io.mongocache.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.mongocache.testing.LatencyProxyProcess;
import io.mongocache.testing.RedisServer;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A private {@code redis-server} on loopback with one plain Lettuce byte-array connection to it: the raw Redis
 * baseline the L2-hit and write benchmarks measure against, on the same server the cache uses.
 */
final class RawRedis implements AutoCloseable {
    private final RedisServer server;
    private final @Nullable LatencyProxyProcess link;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private RawRedis(RedisServer server, @Nullable LatencyProxyProcess link, RedisClient client,
            StatefulRedisConnection<byte[], byte[]> connection) {
        this.server = server;
        this.link = link;
        this.client = client;
        this.connection = connection;
    }

    static RawRedis start() {
        return start(Network.LOOPBACK);
    }

    /** Like {@link #start()}, the baseline connection (and {@link #uri()}) reaching the server over {@code network}. */
    static RawRedis start(Network network) {
        RedisServer server = RedisServer.start();
        LatencyProxyProcess link = null;
        try {
            link = network.link(server.port());
            RedisClient client = RedisClient.create(link == null ? server.uri() : "redis://127.0.0.1:" + link.port());
            return new RawRedis(server, link, client, client.connect(ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            if (link != null) {
                link.close();
            }
            server.close();
            throw e;
        }
    }

    /** The server's URI (through the simulated network, if any), for the cache under test. */
    String uri() {
        return link == null ? server.uri() : "redis://127.0.0.1:" + link.port();
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
            if (link != null) {
                link.close();
            }
            server.close();
        }
    }
}

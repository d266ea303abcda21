package io.mongocache.coordination;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.mongocache.spi.CacheHooks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Point-to-point messages over Redis pub/sub: one channel per node, subscribed on a dedicated connection, and a
 * second connection to publish (a subscribed RESP2 connection cannot). Standalone or Cluster (where a plain
 * PUBLISH reaches every node of the cluster).
 */
final class RedisTransport implements AutoCloseable {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final AutoCloseable client;
    private final StatefulRedisPubSubConnection<String, byte[]> subscriber;
    private final Publisher publisher;
    private final AutoCloseable publishConnection;
    private final boolean cluster;

    private interface Publisher {
        CompletionStage<Long> publish(String channel, byte[] message);
    }

    private RedisTransport(AutoCloseable client, StatefulRedisPubSubConnection<String, byte[]> subscriber,
            Publisher publisher, AutoCloseable publishConnection, boolean cluster) {
        this.cluster = cluster;
        this.client = client;
        this.subscriber = subscriber;
        this.publisher = publisher;
        this.publishConnection = publishConnection;
    }

    /**
     * Connects to the cache's Redis on its client resources; on failure everything opened so far is closed again
     * (no client left behind; the shared resources stay the cache's).
     */
    static RedisTransport connect(CacheHooks.SharedRedis redis, Duration timeout) {
        List<RedisURI> parsed = new ArrayList<>();
        for (String uri : redis.uris()) {
            RedisURI redisUri = RedisURI.create(uri);
            redisUri.setTimeout(timeout);
            parsed.add(redisUri);
        }
        boolean cluster = redis.cluster();
        ClientResources resources = redis.resources();
        RedisURI redisUri = parsed.get(0);
        if (cluster) {
            RedisClusterClient client = RedisClusterClient.create(resources, parsed);
            StatefulRedisClusterConnection<String, byte[]> conn = null;
            try {
                client.setOptions(ClusterClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
                conn = client.connect(CODEC);
                StatefulRedisClusterConnection<String, byte[]> publisher = conn;
                return new RedisTransport(client::shutdown, client.connectPubSub(CODEC),
                        (channel, message) -> publisher.async().publish(channel, message), conn, true);
            } catch (RuntimeException e) {
                if (conn != null) {
                    conn.close();
                }
                client.shutdown();
                throw e;
            }
        }
        RedisClient client = RedisClient.create(resources, redisUri);
        StatefulRedisConnection<String, byte[]> conn = null;
        try {
            client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
            conn = client.connect(CODEC);
            StatefulRedisConnection<String, byte[]> publisher = conn;
            return new RedisTransport(client::shutdown, client.connectPubSub(CODEC),
                    (channel, message) -> publisher.async().publish(channel, message), conn, false);
        } catch (RuntimeException e) {
            if (conn != null) {
                conn.close();
            }
            client.shutdown();
            throw e;
        }
    }

    /**
     * Whether PUBLISH's count of receivers means "nobody listens" when it is 0. Not on a Cluster: there it counts
     * only the subscribers connected to the node that took the PUBLISH.
     */
    boolean countsEveryReceiver() {
        return !cluster;
    }

    /** Delivers every message on {@code channel} to {@code receiver}, on Lettuce's event thread: never block there. */
    void subscribe(String channel, Consumer<byte[]> receiver) {
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, byte[] message) {
                if (channel.equals(ch)) {
                    receiver.accept(message);
                }
            }
        });
        subscriber.sync().subscribe(channel);
    }

    /** Sends; completes with how many subscribers received it. */
    CompletionStage<Long> publish(String channel, byte[] message) {
        return publisher.publish(channel, message);
    }

    @Override
    public void close() {
        try {
            subscriber.close();
            publishConnection.close();
            client.close();
        } catch (Exception e) {
            // closing: nothing left to do
        }
    }
}

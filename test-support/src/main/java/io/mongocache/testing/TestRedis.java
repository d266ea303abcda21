package io.mongocache.testing;

import io.mongocache.common.Masking;

/**
 * JVM-wide shared Redis for tests that leave Redis alone (no kill, pause, restart or config
 * changes), so a test run starts one server instead of one per test class.
 *
 * <p>{@link #uri()} honours {@code REDIS_URL}, so CI or a developer can point the suite at an
 * existing server; otherwise a private {@link RedisServer} is started on first use and killed when
 * the JVM exits. The shared {@link #cluster()} is always private: an external URL cannot be assumed
 * to be a disposable cluster. Tests that break Redis must start their own {@link RedisServer} or
 * {@link RedisCluster}.
 *
 * <p>Shared servers are never flushed by this class; tests should use keys unique to themselves.
 *
 * <p>Concurrency: first use is synchronized, so parallel test classes share one instance. A failed
 * start is not remembered; the next call tries again.
 */
public final class TestRedis {

    private static final String REDIS_URL_ENV = "REDIS_URL";

    private static String sharedUri;
    private static RedisServer sharedServer;
    private static RedisCluster sharedCluster;

    private TestRedis() {}

    /**
     * The Redis URI for tests: {@code REDIS_URL} if set, else the address of a shared private
     * server started on first call.
     */
    public static synchronized String uri() {
        if (sharedUri == null) {
            String external = System.getenv(REDIS_URL_ENV);
            if (external != null && !external.isBlank()) {
                sharedUri = external.trim();
                announce("Redis = " + REDIS_URL_ENV + " (" + Masking.connectionString(sharedUri) + ")");
            } else {
                sharedServer = RedisServer.start();
                sharedUri = sharedServer.uri();
                announce("Redis = private redis-server at " + sharedUri);
            }
        }
        return sharedUri;
    }

    /** True when {@link #uri()} points at the server named by {@code REDIS_URL}. */
    public static boolean isExternal() {
        uri();
        synchronized (TestRedis.class) {
            return sharedServer == null;
        }
    }

    /** A shared three-master {@link RedisCluster}, started on first call. Do not close it. */
    public static synchronized RedisCluster cluster() {
        if (sharedCluster == null) {
            sharedCluster = RedisCluster.start();
            announce("Redis Cluster = private " + sharedCluster);
        }
        return sharedCluster;
    }

    private static void announce(String what) {
        System.err.println("mongocache tests: " + what);
    }
}

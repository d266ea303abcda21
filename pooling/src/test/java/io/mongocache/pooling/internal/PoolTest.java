package io.mongocache.pooling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCluster;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What keeps a pool open and what a retired pool hands out, over fake clients: the in-process MongoDB has no
 * sessions, so the session rule is tested here (cursors and change streams are tested against a server in
 * MongoPoolsIT).
 */
class PoolTest {
    private static final Duration IDLE_TTL = Duration.ofMinutes(1);

    private final FakeClients clients = new FakeClients();
    private final Pool pool = new Pool("tenant", MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:1")).build(), "[127.0.0.1:1]", 5, 0,
            IDLE_TTL, null, clients::create);

    private static long afterTheIdleTtl() {
        return System.currentTimeMillis() + IDLE_TTL.toMillis() * 2;
    }

    @Test
    void shouldNotAutoCloseAPoolWithAnOpenSession() {
        MongoClient client = pool.client(opened -> { });
        ClientSession session = client.startSession();
        assertEquals(1, pool.openSessions());
        assertFalse(pool.closeIfIdle(afterTheIdleTtl()), "the idle TTL passes, but a session is open");
        assertFalse(pool.closeIfQuiet(afterTheIdleTtl()), "eviction leaves it too");
        session.close();
        session.close();
        assertEquals(0, pool.openSessions(), "a session closed twice counts once");
        assertTrue(pool.closeIfIdle(afterTheIdleTtl()));
        assertTrue(clients.created.get(0).closed);
    }

    @Test
    void shouldCountSessionsStartedThroughADerivedView() {
        MongoCluster view = pool.client(opened -> { }).withTimeout(5, TimeUnit.SECONDS);
        ClientSession session = view.startSession();
        assertFalse(pool.closeIfIdle(afterTheIdleTtl()), "a session of a withTimeout view holds the pool");
        session.close();
        assertTrue(pool.closeIfIdle(afterTheIdleTtl()));
    }

    @Test
    void shouldHandOutNothingOnceRetiredAndCloseWhenQuiet() {
        List<Pool> opened = new ArrayList<>();
        MongoClient client = pool.client(opened::add);
        assertNotNull(client);
        ClientSession session = client.startSession();
        pool.retire();
        assertNull(pool.client(opened::add), "a retired pool hands out no client");
        assertFalse(pool.closeIfQuiet(System.currentTimeMillis()), "its open session finishes on it");
        session.close();
        assertTrue(pool.closeIfQuiet(System.currentTimeMillis()));
        assertNull(pool.client(opened::add), "a retired pool never reopens");
        assertEquals(List.of(pool), opened);
        assertEquals(1, clients.created.size());
    }

    /** Clients that start sessions and remember being closed; nothing reaches a server. */
    static final class FakeClients {
        final List<FakeClient> created = new ArrayList<>();

        MongoClient create(MongoClientSettings settings) {
            FakeClient fake = new FakeClient();
            created.add(fake);
            return fake.proxy(MongoClient.class);
        }
    }

    static final class FakeClient {
        volatile boolean closed;

        <T> T proxy(Class<T> type) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "startSession" -> session();
                        case "withTimeout" -> proxy(MongoCluster.class);
                        case "close" -> {
                            closed = true;
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    }));
        }

        private static ClientSession session() {
            return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                    new Class<?>[] {ClientSession.class}, (proxy, method, args) -> null);
        }
    }
}

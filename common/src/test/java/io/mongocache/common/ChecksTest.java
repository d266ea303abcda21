package io.mongocache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChecksTest {
    private static final Predicate<String> CLIENT_ACCEPTS = uri -> true;

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    /**
     * Names every module accepts now. Before the one rule: the cache's {@code db(name)} (the driver's check)
     * refused none of the Windows-only characters, MongoPools refused all of {@code * < > : | ?}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"shop", "a", "tenant_42", "ADMIN", "admin", "a-b", "a*b", "a<b>", "a:b", "a|b", "a?b",
        "a\tb", "日本", "ééé"})
    void shouldAcceptValidDatabaseNames(String name) {
        assertSame(name, Checks.databaseName("database", name));
    }

    @Test
    void shouldAcceptDatabaseNamesOfUpTo63Utf8Bytes() {
        Checks.databaseName("database", "d".repeat(63));
        Checks.databaseName("database", "日".repeat(21)); // 63 bytes in 21 characters
        Checks.databaseName("database", "é".repeat(31) + "d"); // 63 bytes
    }

    @Test
    void shouldRefuseEveryCharacterMongoDbForbidsOnEveryPlatform() {
        for (String name : List.of("a.b", "a b", "a/b", "a\\b", "a\"b", ".", " ")) {
            assertEquals("database must be a database name without any of / \\ . space \" $ or NUL, but was '"
                    + name + "'", refusal(() -> Checks.databaseName("database", name)));
        }
        // Accepted by the cache's db(name) (the driver's check) and by Coordinator.stateDatabase before.
        assertEquals("stateDatabase must be a database name without any of / \\ . space \" $ or NUL, but was 'a$b'",
                refusal(() -> Checks.databaseName("stateDatabase", "a$b")));
        // Accepted by WatchScope.databases before; shown as an escape, not as a raw NUL.
        assertEquals("databases must be a database name without any of / \\ . space \" $ or NUL, but was 'a\\u0000b'",
                refusal(() -> Checks.databaseName("databases", "a\0b")));
    }

    @Test
    void shouldRefuseDatabaseNamesOf64Utf8BytesOrMore() {
        // Accepted by the cache's db(name), WatchScope and Coordinator before.
        assertEquals("name must be a database name of at most 63 UTF-8 bytes, but was '" + "d".repeat(64) + "'",
                refusal(() -> Checks.databaseName("name", "d".repeat(64))));
        // 32 characters, 64 bytes: MongoPools counted characters and accepted it before.
        String accented = "é".repeat(32);
        assertEquals("name must be a database name of at most 63 UTF-8 bytes, but was '" + accented + "'",
                refusal(() -> Checks.databaseName("name", accented)));
    }

    @Test
    void shouldRefuseNullAndEmptyDatabaseNamesNamingTheParameter() {
        assertEquals("database must not be null", refusal(() -> Checks.databaseName("database", null)));
        assertEquals("databaseName must be a non-empty database name",
                refusal(() -> Checks.databaseName("databaseName", "")));
    }

    @Test
    void shouldRefuseNonPositiveValuesNamingTheParameterAndTheValue() {
        assertEquals("ttl must be positive but was PT0S", refusal(() -> Checks.positive("ttl", Duration.ZERO)));
        assertEquals("ttl must be positive but was PT-1S",
                refusal(() -> Checks.positive("ttl", Duration.ofSeconds(-1))));
        assertEquals("ttl must not be null", refusal(() -> Checks.positive("ttl", (Duration) null)));
        assertEquals(Duration.ofNanos(1), Checks.positive("ttl", Duration.ofNanos(1)));
        assertEquals("documents must be > 0 but was 0", refusal(() -> Checks.positive("documents", 0)));
        assertEquals("documents must be > 0 but was -5", refusal(() -> Checks.positive("documents", -5)));
        assertEquals(1, Checks.positive("documents", 1));
        assertEquals("out must not be null", refusal(() -> Checks.notNull("out", null)));
    }

    @Test
    void shouldAcceptRedisUrisOfEveryScheme() {
        for (String uri : List.of("redis://h", "redis://user:pw@h:6379/2", "rediss://h:6380",
                "redis-socket:///tmp/redis.sock", "redis-sentinel://s1:26379,s2:26379#mymaster")) {
            assertSame(uri, Checks.redisUri("redis", uri, CLIENT_ACCEPTS));
        }
        assertEquals(List.of("redis://a:1", "redis://b:2"),
                Checks.redisUris("redisCluster", new String[] {"redis://a:1", "redis://b:2"}, CLIENT_ACCEPTS));
    }

    @Test
    void shouldRefuseMalformedRedisUrisWithoutShowingThePassword() {
        for (String bad : List.of("localhost:6379", "redis://:s3cret@", "http://:s3cret@host", "redis://",
                "redis://u:s3cret@h:port", "redis://u:s3/cret@h")) {
            String message = refusal(() -> Checks.redisUri("redis", bad, CLIENT_ACCEPTS));
            assertTrue(message.startsWith("redis: malformed Redis URI '"), message);
            assertFalse(message.contains("s3cret") || message.contains("s3/cret"), message);
        }
        assertEquals("redis: the Redis URI must not be null", refusal(() -> Checks.redisUri("redis", null,
                CLIENT_ACCEPTS)));
    }

    @Test
    void shouldRefuseWhatTheRedisClientRefusesWithoutRepeatingItsMessage() {
        String refusedByClient = refusal(() -> Checks.redisUri("redis", "redis://u:s3cret@h/x", uri -> {
            throw new IllegalArgumentException("cannot parse database of redis://u:s3cret@h/x");
        }));
        assertEquals("redis: malformed Redis URI 'redis://u:****@h/x' (expected "
                + "redis://[user:password@]host[:port][/database] or rediss://…)", refusedByClient);
        assertTrue(refusal(() -> Checks.redisUri("redis", "redis-sentinel://h", uri -> false))
                .startsWith("redis: malformed Redis URI 'redis-sentinel://h'"));
    }

    @Test
    void shouldRefuseAnEmptySeedListOrABadSeedNamingTheParameter() {
        assertEquals("redisCluster: at least one seed URI is required",
                refusal(() -> Checks.redisUris("redisCluster", new String[0], CLIENT_ACCEPTS)));
        assertEquals("redisCluster: at least one seed URI is required",
                refusal(() -> Checks.redisUris("redisCluster", null, CLIENT_ACCEPTS)));
        assertTrue(refusal(() -> Checks.redisUris("redisCluster", new String[] {"redis://a:1", "nope"},
                CLIENT_ACCEPTS)).startsWith("redisCluster: malformed Redis URI 'nope'"));
    }
}

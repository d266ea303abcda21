package io.mongocache.coordination;

import io.mongocache.MongoCacheConfigurationException;
import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Bad input is refused at build time with the parameter and the rule named; the wire form of a read is exact. */
class CoordinationInputsTest {

    private static void assertRefused(String parameter, Runnable build) {
        Exception e = assertThrows(RuntimeException.class, build::run);
        assertTrue(e.getMessage().contains(parameter), "message should name " + parameter + ": " + e.getMessage());
    }

    @Test
    void shouldRefuseBadScopes() {
        assertEquals("databases[a, b]", WatchScope.databases("a", "b", "a").toString());
        assertEquals(List.of("shop.orders"), WatchScope.collections("shop.orders").namespaces().stream()
                .map(Object::toString).toList());
        assertRefused("namespaces", () -> WatchScope.collections(new String[0]));
        assertRefused("namespaces", () -> WatchScope.collections("orders"));
        assertRefused("namespaces", () -> WatchScope.collections("shop."));
        assertRefused("databases", () -> WatchScope.databases(new String[0]));
        assertRefused("databases", () -> WatchScope.databases("shop.orders"));
        assertRefused("databases", () -> WatchScope.databases(""));
        assertEquals(List.of("a", "b"), WatchScope.databases("a", "b").databaseNames());
    }

    /** One database-name rule in every module; these names got through the scope's and the builder's own checks. */
    @Test
    void shouldRefuseInvalidDatabaseNamesInScopesStateAndDelegationWithTheOneRule() {
        String tooLong = "d".repeat(64);
        assertEquals("databases must be a database name without any of / \\ . space \" $ or NUL, but was 'a\\u0000b'",
                assertThrows(IllegalArgumentException.class, () -> WatchScope.databases("a\0b")).getMessage());
        assertRefused("databases must be a database name of at most 63 UTF-8 bytes",
                () -> WatchScope.databases(tooLong));
        assertRefused("namespaces: the database of 'a$b.orders' must be a database name without any of",
                () -> WatchScope.collections("a$b.orders"));
        assertRefused("stateDatabase must be a database name without any of", () -> Coordinator.builder()
                .stateDatabase("ops state"));
        assertRefused("stateDatabase must be a database name without any of", () -> Coordinator.builder()
                .stateDatabase("a$b"));
        assertRefused("stateDatabase must be a database name of at most 63 UTF-8 bytes", () -> Coordinator.builder()
                .stateDatabase(tooLong));
        assertRefused("databases must be a database name without any of", () -> Coordinator.builder()
                .delegate("shop", "a.b"));
        assertRefused("database must be a database name without any of",
                () -> ReadRequest.find("a$b", "orders", eq("a", 1)));
        // Characters only Windows servers refuse stay allowed (MongoPools refused them before).
        assertEquals(List.of("a:b"), WatchScope.databases("a:b").databaseNames());
        Coordinator.builder().stateDatabase("ops-state_1").delegate("tenant*1");
    }

    /** Regression: with instance accessors of the same names these calls did not compile ("non-static method"). */
    @Test
    void shouldRefuseAnEmptyScopeCalledWithNoArgumentsNamingTheParameter() {
        IllegalArgumentException collections = assertThrows(IllegalArgumentException.class,
                () -> WatchScope.collections());
        assertTrue(collections.getMessage().startsWith("namespaces: at least one"), collections.getMessage());
        IllegalArgumentException databases = assertThrows(IllegalArgumentException.class,
                () -> WatchScope.databases());
        assertTrue(databases.getMessage().startsWith("databases: at least one"), databases.getMessage());
    }

    @Test
    void shouldRefuseAScopeOfOnlyItsOwnStateCollections() {
        try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create("mongodb://127.0.0.1:1");
                io.mongocache.MongoCache cache = io.mongocache.MongoCache.builder().build()) {
            Exception e = assertThrows(MongoCacheConfigurationException.class, () -> Coordinator.builder().client(client)
                    .cache(cache).stateDatabase("ops").watch(WatchScope.collections("ops.checkpoints", "ops.leases"))
                    .start());
            assertTrue(e.getMessage().contains("own state collections") && e.getMessage().contains("'ops'"),
                    e.getMessage());
        }
    }

    @Test
    void shouldRefuseWritesAndBadOptionsInReads() {
        assertRefused("pipeline", () -> ReadRequest.aggregate("shop", "orders",
                List.of(Aggregates.match(eq("a", 1)), Aggregates.out("copy"))));
        assertRefused("pipeline", () -> ReadRequest.aggregate("shop", "orders",
                List.of(new Document("$merge", new Document("into", "x")))));
        assertRefused("filter", () -> ReadRequest.find("shop", "orders", null));
        assertRefused("database", () -> ReadRequest.find("", "orders", eq("a", 1)));
        assertRefused("limit", () -> ReadRequest.find("shop", "orders", eq("a", 1)).limit(-1));
        assertRefused("skip", () -> ReadRequest.find("shop", "orders", eq("a", 1)).skip(-1));
        assertRefused("sort", () -> ReadRequest.count("shop", "orders", eq("a", 1)).sort(Sorts.ascending("a")));
    }

    @Test
    void shouldCarryAReadExactlyBetweenNodes() {
        ReadRequest find = ReadRequest.find("shop", "orders", Filters.and(eq("state", "open"), eq("n", 5L)))
                .projection(Projections.include("n")).sort(Sorts.descending("n")).skip(2).limit(10);
        assertEquals(find.toBson(), ReadRequest.fromBson(find.toBson()).toBson());
        ReadRequest aggregate = ReadRequest.aggregate("shop", "orders", List.of(Aggregates.match(eq("n", 1.5))));
        assertEquals(aggregate.toBson(), ReadRequest.fromBson(aggregate.toBson()).toBson());
        assertEquals(ReadRequest.Kind.AGGREGATE, ReadRequest.fromBson(aggregate.toBson()).kind());
        // A crafted message cannot smuggle a write stage past the check.
        var smuggled = aggregate.toBson();
        smuggled.getArray("pipeline").add(new Document("$out", "x").toBsonDocument());
        assertRefused("pipeline", () -> ReadRequest.fromBson(smuggled));
    }

    @Test
    void shouldValidateDelegationSettingsAndTheBuilder() {
        assertRefused("ackTimeout", () -> new DelegationSettings(Duration.ZERO, 3, 4, 65536));
        assertRefused("maxAttempts", () -> new DelegationSettings(Duration.ofSeconds(1), 0, 4, 65536));
        assertRefused("servingPermits", () -> new DelegationSettings(Duration.ofSeconds(1), 3, 0, 65536));
        assertRefused("chunkBytes", () -> new DelegationSettings(Duration.ofSeconds(1), 3, 4, 10));
        assertRefused("heartbeatInterval", () -> Coordinator.builder().heartbeatInterval(Duration.ofMillis(-1)));
        assertRefused("stateDatabase", () -> Coordinator.builder().stateDatabase(" "));
        assertRefused("client", () -> Coordinator.builder().start());
        assertRefused("databases", () -> Coordinator.builder().delegate());
    }
}

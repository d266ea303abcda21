package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolOptionsTest {

    private static void rejects(String parameter, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(parameter), e.getMessage());
    }

    @Test
    void shouldRejectBadLimitsNamingTheRule() {
        rejects("maxConnections", () -> PoolOptions.builder().maxConnections(0));
        rejects("minConnections", () -> PoolOptions.builder().minConnections(-1));
        rejects("minConnections (5) must be <= maxConnections (2)",
                () -> PoolOptions.builder().maxConnections(2).minConnections(5).build());
        rejects("autoClose is off", () -> PoolOptions.builder().idleTtl(Duration.ofSeconds(1)).build());
        rejects("idleTtl", () -> PoolOptions.builder().autoClose(Duration.ZERO));
        rejects("maxOpenPools", () -> MongoPools.builder().maxOpenPools(0));
        rejects("primary", () -> MongoPools.builder().build());
        rejects("not a valid database name", () -> MongoPools.builder().database("a.b", PoolOptions.defaults()));
        rejects("non-empty", () -> MongoPools.builder().database("", PoolOptions.defaults()));
    }

    @Test
    void shouldMaskCredentialsOfMalformedUris() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolOptions.builder().uri("mongodb://app:hunter2@host:notaport"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().startsWith("uri"), e.getMessage());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> MongoPools.builder().primary("mongo://u:pw@h"));
        assertFalse(p.getMessage().contains(":pw@"), p.getMessage());
        assertEquals("PoolOptions{uri=mongodb://app:****@h, maxConnections=10, minConnections=0, coldStart=null,"
                + " autoClose=false, idleTtl=null}", PoolOptions.builder().uri("mongodb://app:pw@h").build().toString());
    }
}

package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
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
        rejects("name must be a database name without any of", () -> MongoPools.builder().separatePool("a.b",
                PoolOptions.defaults()));
        rejects("non-empty", () -> MongoPools.builder().separatePool("", PoolOptions.defaults()));
    }

    /** MongoPools now checks database names with the rule every module shares (it had a stricter one of its own). */
    @Test
    void shouldCheckDatabaseNamesWithTheOneRuleOfEveryModule() {
        // 32 characters but 64 UTF-8 bytes: it counted characters.
        rejects("name must be a database name of at most 63 UTF-8 bytes",
                () -> MongoPools.builder().separatePool("é".repeat(32), PoolOptions.defaults()));
        rejects("name must be a database name without any of", () -> MongoPools.builder().separatePool("a$b",
                PoolOptions.defaults()));
        rejects("name must not be null", () -> MongoPools.builder().separatePool(null, PoolOptions.defaults()));
        // Characters only Windows servers refuse are not refused on every platform any more.
        MongoPools.builder().separatePool("tenant:1", PoolOptions.defaults()).separatePool("a*b?", PoolOptions.defaults())
                .separatePool("d".repeat(63), PoolOptions.defaults());
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
                + " autoClose=false, idleTtl=null, clientSettings=base}",
                PoolOptions.builder().uri("mongodb://app:pw@h").build().toString());
    }

    @Test
    void shouldRefuseNullClientSettingsNamingTheParameter() {
        rejects("primary must not be null", () -> MongoPools.builder().primary((MongoClientSettings) null));
        rejects("primary must not be null", () -> MongoPools.builder().primary((String) null));
        rejects("clientSettings must not be null", () -> MongoPools.builder().clientSettings(null));
        rejects("clientSettings must not be null", () -> PoolOptions.builder().clientSettings(null));
        rejects("primary: a primary connection string or MongoClientSettings is required",
                () -> MongoPools.builder().clientSettings(MongoClientSettings.builder().build()).build());
    }

    @Test
    void shouldRefuseSettingTheBaseClientSettingsTwice() {
        MongoClientSettings settings = MongoClientSettings.builder().build();
        rejects("clientSettings: the base client settings were already set",
                () -> MongoPools.builder().primary(settings).clientSettings(settings));
        rejects("primary: the base client settings were already set",
                () -> MongoPools.builder().clientSettings(settings).primary(settings));
    }

    @Test
    void shouldRefuseAPoolSizeInAPoolsSettingsChangeThatItsOptionsWouldOverrideWithoutShowingCredentials() {
        MongoClientSettings withCredential = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://app:hunter2@127.0.0.1:1")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MongoPools.builder()
                .primary(withCredential)
                .separatePool("reports", PoolOptions.builder().maxConnections(5)
                        .clientSettings(s -> s.applyToConnectionPoolSettings(pool -> pool.maxSize(20))).build())
                .build());
        assertEquals("clientSettings of database 'reports' sets the pool's maxSize to 20, but "
                + "PoolOptions.maxConnections (5) decides it: use PoolOptions.builder().maxConnections(20)",
                e.getMessage());
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> MongoPools.builder()
                .primary("mongodb://app:hunter2@127.0.0.1:1")
                .separatePool("reports", PoolOptions.builder().clientSettings(s -> {
                    throw new IllegalStateException("no TLS context");
                }).build())
                .build());
        assertEquals("clientSettings of database 'reports' failed: IllegalStateException: no TLS context",
                thrown.getMessage());
        assertEquals("PoolOptions{uri=primary, maxConnections=10, minConnections=0, coldStart=null, autoClose=false,"
                + " idleTtl=null, clientSettings=base with changes}",
                PoolOptions.builder().clientSettings(s -> s.credential(withCredential.getCredential())).build()
                        .toString());
    }
}

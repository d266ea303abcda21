package io.mongocache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scope rules of {@link CacheHints}: nesting, restoring, thread confinement, bad input. */
class CacheHintsTest {

    @AfterEach
    void nothingLeftOpen() {
        assertFalse(CacheHints.noCacheActive(), "a test left a noCache scope open");
        assertNull(CacheHints.currentTtl(), "a test left a ttl scope open");
    }

    @Test
    void shouldApplyTheInnermostSettingOfEachKindAndRestoreOnClose() {
        try (CacheHints.Scope ttl = CacheHints.ttl(Duration.ofSeconds(30))) {
            assertEquals(Duration.ofSeconds(30), CacheHints.currentTtl());
            assertFalse(CacheHints.noCacheActive());
            try (CacheHints.Scope inner = CacheHints.ttl(Duration.ofSeconds(5))) {
                assertEquals(Duration.ofSeconds(5), CacheHints.currentTtl());
                try (CacheHints.Scope none = CacheHints.noCache()) {
                    assertTrue(CacheHints.noCacheActive());
                    assertEquals(Duration.ofSeconds(5), CacheHints.currentTtl(), "noCache keeps the ttl in force");
                }
                assertFalse(CacheHints.noCacheActive());
            }
            assertEquals(Duration.ofSeconds(30), CacheHints.currentTtl());
        }
    }

    @Test
    void shouldKeepBypassingInsideANestedTtlScope() {
        try (CacheHints.Scope none = CacheHints.noCache();
                CacheHints.Scope ttl = CacheHints.ttl(Duration.ofMinutes(1))) {
            assertTrue(CacheHints.noCacheActive(), "a ttl scope inside a noCache scope still bypasses");
        }
    }

    @Test
    void shouldRunLambdasInAScopeAndCloseItEvenWhenTheyThrow() {
        assertEquals(Boolean.TRUE, CacheHints.noCache(CacheHints::noCacheActive));
        assertEquals(Duration.ofSeconds(7), CacheHints.withTtl(Duration.ofSeconds(7), CacheHints::currentTtl));
        assertThrows(IllegalStateException.class, () -> CacheHints.noCache(() -> {
            throw new IllegalStateException("boom");
        }));
    }

    @Test
    void shouldNotCarryAScopeToAnotherThread() throws Exception {
        try (CacheHints.Scope none = CacheHints.noCache()) {
            assertFalse(CompletableFuture.supplyAsync(CacheHints::noCacheActive).get());
        }
    }

    @Test
    void shouldRefuseClosingAnOuterScopeBeforeAnInnerOneAndIgnoreASecondClose() {
        CacheHints.Scope outer = CacheHints.noCache();
        CacheHints.Scope inner = CacheHints.ttl(Duration.ofSeconds(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
        inner.close();
        inner.close();
        outer.close();
        outer.close();
    }

    @Test
    void shouldNameTheParameterOfABadTtl() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> CacheHints.ttl(Duration.ZERO));
        assertTrue(zero.getMessage().startsWith("ttl"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CacheHints.ttl(null));
        assertThrows(IllegalArgumentException.class, () -> CacheHints.noCache(null));
    }
}

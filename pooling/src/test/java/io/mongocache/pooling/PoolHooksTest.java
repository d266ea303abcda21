package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hooks run in the order added, filtered by database, a throwing one skipped; a builder's copy stays its own. */
class PoolHooksTest {
    private final PoolHooks hooks = new PoolHooks();
    private final List<String> calls = new ArrayList<>();

    @Test
    void shouldCallTheMatchingHooksInOrderAndSkipAThrowingOne() {
        hooks.onConnect(null, e -> calls.add("any:" + e.database()));
        hooks.onConnect("a", e -> {
            throw new IllegalStateException("a broken hook");
        });
        hooks.onConnect("a", e -> calls.add("a:" + e.reason()));
        hooks.onConnect("b", e -> calls.add("b"));
        hooks.onDisconnect("a", e -> calls.add("closed a"));
        hooks.connected("a", PoolEvent.Reason.FIRST_USE);
        assertEquals(List.of("any:a", "a:FIRST_USE"), calls);
    }

    @Test
    void shouldTellEveryChangeHookEvenAfterOneThrows() {
        hooks.onDatabaseChanged(database -> {
            throw new IllegalStateException("a broken hook");
        });
        hooks.onDatabaseChanged(calls::add);
        hooks.databaseChanged("shop");
        assertEquals(List.of("shop"), calls);
    }

    @Test
    void shouldKeepHooksAddedToACopyOutOfTheOriginal() {
        hooks.onDisconnect(null, e -> calls.add("original"));
        PoolHooks copy = hooks.copy();
        copy.onDisconnect(null, e -> calls.add("copy only"));
        hooks.disconnected("a", PoolEvent.Reason.IDLE);
        assertEquals(List.of("original"), calls);
        calls.clear();
        copy.disconnected("a", PoolEvent.Reason.IDLE);
        assertEquals(List.of("original", "copy only"), calls);
    }

    @Test
    void shouldRejectNullHooks() {
        assertEquals("callback must not be null",
                assertThrows(IllegalArgumentException.class, () -> hooks.onConnect(null, null)).getMessage());
        assertEquals("onDatabaseChanged: the hook must not be null",
                assertThrows(IllegalArgumentException.class, () -> hooks.onDatabaseChanged(null)).getMessage());
    }
}

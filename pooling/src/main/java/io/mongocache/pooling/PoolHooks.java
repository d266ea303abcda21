package io.mongocache.pooling;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks of one {@link MongoPools}: connect and disconnect hooks, for every pool or a named one, and the
 * database-changed hooks that bulk tasks call. Builder and run-time registration both land here, and so does
 * every call, so the rules — called in the order added, a throwing hook logged and ignored — live in one place.
 *
 * <p>Concurrency: thread-safe. The lists are copy-on-write: hooks are added rarely and called often, and a hook
 * added while an event is being delivered gets the next event, not necessarily this one. Hooks run on the thread
 * that caused the event (the opening caller, the scheduler, the closing thread, the bulk task's caller).
 */
final class PoolHooks {
    private static final Logger LOG = LoggerFactory.getLogger(PoolHooks.class);

    private record Hook(@Nullable String database, Consumer<PoolEvent> callback) {}

    private final List<Hook> connectHooks = new CopyOnWriteArrayList<>();
    private final List<Hook> disconnectHooks = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> changeHooks = new CopyOnWriteArrayList<>();

    /** A new set holding the hooks added to this one so far (a builder's hooks, for the pools it builds). */
    PoolHooks copy() {
        PoolHooks copy = new PoolHooks();
        copy.connectHooks.addAll(connectHooks);
        copy.disconnectHooks.addAll(disconnectHooks);
        copy.changeHooks.addAll(changeHooks);
        return copy;
    }

    /**
     * @param database the database whose pool's opening calls it, or null for every pool
     * @throws IllegalArgumentException if the callback is null
     */
    void onConnect(@Nullable String database, Consumer<PoolEvent> callback) {
        connectHooks.add(new Hook(database, requireCallback(callback)));
    }

    /**
     * @param database the database whose pool's closing calls it, or null for every pool
     * @throws IllegalArgumentException if the callback is null
     */
    void onDisconnect(@Nullable String database, Consumer<PoolEvent> callback) {
        disconnectHooks.add(new Hook(database, requireCallback(callback)));
    }

    /** @throws IllegalArgumentException if the hook is null */
    void onDatabaseChanged(Consumer<String> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("onDatabaseChanged: the hook must not be null");
        }
        changeHooks.add(hook);
    }

    void connected(String database, PoolEvent.Reason reason) {
        fire(connectHooks, new PoolEvent(database, reason));
    }

    void disconnected(String database, PoolEvent.Reason reason) {
        fire(disconnectHooks, new PoolEvent(database, reason));
    }

    /** Writes made by bulk tasks bypass any cache: the hooks let a cache forget the database. */
    void databaseChanged(String database) {
        for (Consumer<String> hook : changeHooks) {
            try {
                hook.accept(database);
            } catch (RuntimeException e) {
                LOG.warn("mongocache: a database-changed hook threw; ignored", e);
            }
        }
    }

    private static void fire(List<Hook> hooks, PoolEvent event) {
        for (Hook hook : hooks) {
            if (hook.database() == null || hook.database().equals(event.database())) {
                try {
                    hook.callback().accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("mongocache: a pool hook for {} threw; ignored", event, e);
                }
            }
        }
    }

    private static Consumer<PoolEvent> requireCallback(Consumer<PoolEvent> callback) {
        if (callback == null) {
            throw new IllegalArgumentException("callback must not be null");
        }
        return callback;
    }
}

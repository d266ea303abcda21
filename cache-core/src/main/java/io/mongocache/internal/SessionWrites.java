package io.mongocache.internal;

import com.mongodb.client.ClientSession;
import io.mongocache.invalidation.Invalidation;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes made inside a transaction are invalidated twice: when they are made (like every write) and again after
 * the transaction commits or aborts. Between the two, another thread may read the pre-commit data — correctly,
 * the transaction is not visible yet — and cache it; the second invalidation retires that entry once the commit
 * makes it stale. This class remembers, per session with an active transaction, what its writes invalidated.
 *
 * <p>Concurrency: the current session is a thread-local set around each session write; the per-session lists are
 * synchronized. Failure modes: a transaction committed by calling {@code session.commitTransaction()} directly
 * (not through {@code MongoCache.transaction}) gets only the first invalidation, and its list stays until the
 * session is used with {@code transaction} again or is garbage-collected — so transactional writes through the
 * cache belong in {@code MongoCache.transaction} (documented there). Memory: sessions are held weakly (by
 * identity), so a session the application dropped takes its list with it.
 */
final class SessionWrites {
    private final ThreadLocal<ClientSession> current = new ThreadLocal<>();
    private final Cache<ClientSession, List<Invalidation>> pending = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();

    /** Runs a write made with {@code session}, so that its invalidation is remembered if a transaction is open. */
    <R> R within(ClientSession session, java.util.function.Supplier<R> write) {
        ClientSession previous = current.get();
        current.set(session);
        try {
            return write.get();
        } finally {
            if (previous == null) {
                current.remove();
            } else {
                current.set(previous);
            }
        }
    }

    void within(ClientSession session, Runnable write) {
        within(session, () -> {
            write.run();
            return null;
        });
    }

    /** Called for every invalidation: remembers it when the write happened in a transaction. */
    void record(Invalidation invalidation) {
        ClientSession session = current.get();
        if (session != null && session.hasActiveTransaction()) {
            pending.asMap().compute(session, (s, list) -> {
                List<Invalidation> l = list == null ? new ArrayList<>() : list;
                l.add(invalidation);
                return l;
            });
        }
    }

    /** How many sessions have a list now (for tests). */
    long sessions() {
        pending.cleanUp();
        return pending.estimatedSize();
    }

    /** Removes and returns what the session's transaction invalidated. */
    List<Invalidation> drain(ClientSession session) {
        List<Invalidation> list = pending.asMap().remove(session);
        return list == null ? List.of() : list;
    }
}

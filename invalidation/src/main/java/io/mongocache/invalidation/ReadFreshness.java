package io.mongocache.invalidation;

import com.mongodb.ReadConcern;
import com.mongodb.ReadConcernLevel;
import com.mongodb.ReadPreference;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Whether a read can return data older than the newest acknowledged write, and so how long its result may be
 * cached. Invalidation keeps the cache as fresh as the primary: a write invalidates, and a read that started before
 * the invalidation is never installed. A read that may be answered from older data — by a secondary that has not
 * applied the write yet ({@code secondary}, {@code secondaryPreferred}, {@code nearest}, and {@code primaryPreferred}
 * while the primary is unavailable), or at a read concern that reads a majority-committed or snapshot view
 * ({@code majority}, {@code snapshot}) — can start after the invalidation and still return the value from before
 * the write; installed for a whole TTL it would outlive the write by that TTL. Such results are therefore cached at
 * most {@code maxStaleness / 2} in each tier (a local entry filled from a Redis entry near its end lives at most
 * {@code maxStaleness} from the load), so nothing a lagging member returned is served longer than
 * {@code maxStaleness} after the load that saw it.
 *
 * <p>The exact rule (install only when the read's {@code operationTime} is at least every dependency's
 * invalidation time) needs a causally consistent session on every cached read and write; reads with a session
 * bypass the cache, so the cap is the rule here. Pure: no I/O, decided once per collection view.
 */
public final class ReadFreshness {
    private ReadFreshness() {}

    /** Whether a read with these settings can return data older than the newest acknowledged write. */
    public static boolean mayReadOlderData(@Nullable ReadPreference preference, @Nullable ReadConcern concern) {
        boolean primaryOnly = preference == null || ReadPreference.primary().equals(preference);
        if (!primaryOnly) {
            return true;
        }
        ReadConcernLevel level = concern == null ? null : concern.getLevel();
        // local (the default), available (on the primary: the same as local) and linearizable see every
        // acknowledged write on the primary; majority and snapshot may not see a w:1 write yet.
        return level == ReadConcernLevel.MAJORITY || level == ReadConcernLevel.SNAPSHOT;
    }

    /**
     * The lifetime of a result in each tier: {@code ttl} for reads of current data, at most {@code maxStaleness / 2}
     * for reads that may return older data.
     */
    public static Duration cap(Duration ttl, boolean mayReadOlderData, Duration maxStaleness) {
        if (!mayReadOlderData) {
            return ttl;
        }
        Duration half = maxStaleness.dividedBy(2);
        return ttl.compareTo(half) <= 0 ? ttl : half;
    }
}

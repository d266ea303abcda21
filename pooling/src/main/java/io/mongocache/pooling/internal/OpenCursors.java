package io.mongocache.pooling.internal;

import com.mongodb.ServerAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * The server cursors one client holds open, followed through its command events, so that auto-close can leave a
 * pool alone while a cursor or change stream still needs its client.
 *
 * <p>A reply carrying {@code cursor.id} other than 0 opens a cursor (find, aggregate and so change streams,
 * listCollections, listIndexes, …); a {@code getMore} answered with id 0 (exhausted) or failing (killed, timed out,
 * or a change stream about to resume on a new cursor) ends it; {@code killCursors} ends the cursors it names.
 * Commands are seen whichever way the client was reached (a pool's database handle, {@code clientFor}, or a
 * change stream opened by anyone), which is why this reads events rather than wrapping the driver's iterables.
 *
 * <p>Concurrency: the driver calls in from its own threads; both maps are concurrent, and a getMore's cursor is
 * remembered by request id between its start and its reply. Failure modes: a cursor the application drops without
 * closing or exhausting it is never killed by the driver; after {@link #ABANDONED_AFTER} without a getMore it no
 * longer counts, since the server kills idle cursors after that long by default ({@code cursorTimeoutMillis}).
 * A {@code noCursorTimeout} cursor left unread longer than that stops holding its pool too.
 */
final class OpenCursors {
    /** The server's default {@code cursorTimeoutMillis}. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);

    private record Cursor(ServerAddress server, long id) {}

    private final Map<Cursor, Long> lastUsedMillis = new ConcurrentHashMap<>();
    private final Map<Integer, Cursor> getMoresInFlight = new ConcurrentHashMap<>();

    void started(int requestId, String commandName, BsonDocument command, ServerAddress server) {
        if (commandName.equals("getMore")) {
            Long id = cursorId(command.get("getMore"));
            if (id != null) {
                getMoresInFlight.put(requestId, new Cursor(server, id));
            }
        } else if (commandName.equals("killCursors") && command.get("cursors") instanceof BsonArray ids) {
            for (BsonValue value : ids) {
                Long id = cursorId(value);
                if (id != null) {
                    lastUsedMillis.remove(new Cursor(server, id));
                }
            }
        }
    }

    void succeeded(int requestId, String commandName, BsonDocument response, ServerAddress server, long nowMillis) {
        Cursor continued = commandName.equals("getMore") ? getMoresInFlight.remove(requestId) : null;
        Long id = response.get("cursor") instanceof BsonDocument cursor ? cursorId(cursor.get("id")) : null;
        if (continued != null && (id == null || id == 0)) {
            lastUsedMillis.remove(continued);
        } else if (id != null && id != 0) {
            lastUsedMillis.put(new Cursor(server, id), nowMillis);
        }
    }

    void failed(int requestId, String commandName) {
        if (commandName.equals("getMore")) {
            Cursor cursor = getMoresInFlight.remove(requestId);
            if (cursor != null) {
                lastUsedMillis.remove(cursor);
            }
        }
    }

    /** The cursors open at {@code nowMillis}, forgetting those unused for {@link #ABANDONED_AFTER}. */
    int count(long nowMillis) {
        lastUsedMillis.values().removeIf(used -> nowMillis - used >= ABANDONED_AFTER.toMillis());
        return lastUsedMillis.size();
    }

    private static @Nullable Long cursorId(@Nullable BsonValue value) {
        return value != null && value.isNumber() ? value.asNumber().longValue() : null;
    }
}

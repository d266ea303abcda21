package io.mongocache.pooling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.ServerAddress;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

/** Which cursors count as open, from the command events the driver reports. */
class OpenCursorsTest {
    private static final ServerAddress SERVER = new ServerAddress("db1", 27017);
    private static final long NOW = 1_000_000;

    private final OpenCursors cursors = new OpenCursors();

    private static BsonDocument reply(long cursorId) {
        return new BsonDocument("cursor", new BsonDocument("id", new BsonInt64(cursorId))
                .append("ns", new BsonString("db.c")));
    }

    private static BsonDocument getMore(long cursorId) {
        return new BsonDocument("getMore", new BsonInt64(cursorId)).append("collection", new BsonString("c"));
    }

    private void find(int requestId, long cursorId) {
        cursors.started(requestId, "find", new BsonDocument("find", new BsonString("c")), SERVER);
        cursors.succeeded(requestId, "find", reply(cursorId), SERVER, NOW);
    }

    @Test
    void shouldCountACursorUntilAGetMoreExhaustsIt() {
        find(1, 0);
        assertEquals(0, cursors.count(NOW), "a reply with cursor id 0 leaves nothing open");
        find(2, 42);
        assertEquals(1, cursors.count(NOW));
        cursors.started(3, "getMore", getMore(42), SERVER);
        cursors.succeeded(3, "getMore", reply(42), SERVER, NOW);
        assertEquals(1, cursors.count(NOW), "a batch that is not the last");
        cursors.started(4, "getMore", getMore(42), SERVER);
        cursors.succeeded(4, "getMore", reply(0), SERVER, NOW);
        assertEquals(0, cursors.count(NOW));
    }

    @Test
    void shouldForgetCursorsThatAreKilledOrWhoseGetMoreFails() {
        find(1, 7);
        find(2, 8);
        find(3, 9);
        cursors.started(4, "killCursors", new BsonDocument("killCursors", new BsonString("c"))
                .append("cursors", new BsonArray(List.of(new BsonInt64(7), new BsonInt64(8)))), SERVER);
        assertEquals(1, cursors.count(NOW));
        cursors.started(5, "getMore", getMore(9), SERVER);
        cursors.failed(5, "getMore");
        assertEquals(0, cursors.count(NOW));
    }

    @Test
    void shouldTellCursorsOfDifferentServersApart() {
        find(1, 5);
        cursors.started(2, "killCursors", new BsonDocument("killCursors", new BsonString("c"))
                .append("cursors", new BsonArray(List.of(new BsonInt64(5)))), new ServerAddress("db2", 27017));
        assertEquals(1, cursors.count(NOW), "cursor 5 of another server was killed");
    }

    @Test
    void shouldForgetACursorNotAdvancedForTheServersCursorTimeout() {
        find(1, 42);
        long abandoned = OpenCursors.ABANDONED_AFTER.toMillis();
        assertEquals(1, cursors.count(NOW + abandoned - 1));
        assertEquals(0, cursors.count(NOW + abandoned), "the server has killed it by now");
    }
}

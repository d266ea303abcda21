package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.invalidation.Invalidation;
import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** What {@code runCommand} through a cached database invalidates, command by command. */
class CachedDatabasesTest {

    private static List<Invalidation> writes(String json) {
        return CachedDatabases.commandWrites("shop", BsonDocument.parse(json));
    }

    @Test
    void shouldInvalidateNothingForReadOnlyCommandsWhateverTheirCase() {
        for (String command : List.of("{ping: 1}", "{hello: 1}", "{isMaster: 1}", "{count: 'users'}",
                "{find: 'users', filter: {}}", "{listCollections: 1}", "{dbStats: 1}", "{distinct: 'u', key: 'a'}",
                "{aggregate: 'users', pipeline: [{$match: {a: 1}}], cursor: {}}", "{}")) {
            assertEquals(List.of(), writes(command), command);
        }
    }

    @Test
    void shouldInvalidateTheNamedCollectionOfAOneCollectionWrite() {
        for (String command : List.of("{insert: 'users', documents: []}", "{update: 'users', updates: []}",
                "{delete: 'users', deletes: []}", "{findAndModify: 'users', query: {}}",
                "{findandmodify: 'users', query: {}}", "{drop: 'users'}", "{createIndexes: 'users', indexes: []}",
                "{collMod: 'users'}")) {
            assertEquals(List.of(Invalidation.namespace("shop.users")), writes(command), command);
        }
    }

    @Test
    void shouldInvalidateBothSidesOfARenameAndTheTargetOfAWritingAggregate() {
        assertEquals(List.of(Invalidation.namespace("shop.a"), Invalidation.namespace("shop.b")),
                writes("{renameCollection: 'shop.a', to: 'shop.b'}"));
        assertEquals(List.of(Invalidation.namespace("shop.report")),
                writes("{aggregate: 'users', pipeline: [{$match: {}}, {$out: 'report'}], cursor: {}}"));
        assertEquals(List.of(Invalidation.namespace("other.sums")),
                writes("{aggregate: 1, pipeline: [{$documents: [{a: 1}]}, {$merge: {into: {db: 'other', coll: "
                        + "'sums'}}}], cursor: {}}"));
    }

    @Test
    void shouldInvalidateEverythingForACommandItDoesNotKnow() {
        for (String command : List.of("{someFutureWrite: 'users'}", "{cloneCollectionAsCapped: 'a', "
                + "toCollection: 'b', size: 1}", "{applyOps: []}", "{insert: 5}")) {
            assertEquals(List.of(Invalidation.everything()), writes(command), command);
        }
    }
}

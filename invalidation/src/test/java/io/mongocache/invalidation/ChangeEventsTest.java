package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Events shaped exactly as MongoDB 6/7 emits them (resume tokens shortened). */
class ChangeEventsTest {

    private static ChangeEvents.Translation translate(String json) {
        return ChangeEvents.translate(BsonDocument.parse(json));
    }

    @Test
    void shouldInvalidateTheDocumentOfInsertsUpdatesReplacesAndDeletes() {
        for (String type : List.of("insert", "update", "replace", "delete")) {
            var t = translate("{_id: {_data: '8263…'}, operationType: '" + type + "', clusterTime: {$timestamp: {t: 1,"
                    + " i: 1}}, wallTime: {$date: '2026-11-22T00:00:00Z'}, ns: {db: 'shop', coll: 'users'},"
                    + " documentKey: {_id: 42}, fullDocument: {_id: 42, name: 'a'},"
                    + " updateDescription: {updatedFields: {name: 'a'}, removedFields: [], truncatedArrays: []}}");
            assertEquals(List.of(Invalidation.documentsWithIds("shop.users", List.of(new BsonInt32(42)))),
                    t.invalidations(), type);
            assertFalse(t.reopen());
        }
    }

    @Test
    void shouldUseTheIdOfShardedDocumentKeys() {
        ObjectId id = new ObjectId();
        var t = translate("{operationType: 'update', ns: {db: 'a', coll: 'b'}, documentKey: {region: 'eu', _id: {$oid: '"
                + id.toHexString() + "'}}}");
        assertEquals(Invalidation.Kind.DOCUMENTS, t.invalidations().get(0).kind());
    }

    @Test
    void shouldInvalidateTheNamespaceWithoutAUsableId() {
        // The in-process test server puts the update itself in documentKey.
        var t = translate("{operationType: 'update', ns: {db: 'a', coll: 'b'}, documentKey: {$set: {v: 2}}}");
        assertEquals(List.of(Invalidation.namespace("a.b")), t.invalidations());
        assertEquals(List.of(Invalidation.namespace("a.b")),
                translate("{operationType: 'delete', ns: {db: 'a', coll: 'b'}}").invalidations());
        assertEquals(List.of(Invalidation.everything()),
                translate("{operationType: 'insert', documentKey: {_id: 1}}").invalidations(), "no namespace");
    }

    @Test
    void shouldFlushAndReopenOnDropRenameDropDatabaseAndInvalidate() {
        var drop = translate("{operationType: 'drop', ns: {db: 'a', coll: 'b'}}");
        assertEquals(List.of(Invalidation.namespace("a.b")), drop.invalidations());
        assertTrue(drop.reopen());
        var rename = translate("{operationType: 'rename', ns: {db: 'a', coll: 'b'}, to: {db: 'a', coll: 'c'}}");
        assertEquals(List.of(Invalidation.namespace("a.b"), Invalidation.namespace("a.c")), rename.invalidations());
        assertTrue(rename.reopen());
        var dropDatabase = translate("{operationType: 'dropDatabase', ns: {db: 'a'}}");
        assertEquals(List.of(Invalidation.everything()), dropDatabase.invalidations());
        assertTrue(dropDatabase.reopen());
        var invalidate = translate("{operationType: 'invalidate'}");
        assertEquals(List.of(Invalidation.everything()), invalidate.invalidations());
        assertTrue(invalidate.reopen());
    }

    @Test
    void shouldInvalidateTheNamespaceForUnknownOperations() {
        assertEquals(List.of(Invalidation.namespace("a.b")),
                translate("{operationType: 'createIndexes', ns: {db: 'a', coll: 'b'}}").invalidations());
        assertEquals(List.of(Invalidation.namespace("a.b")),
                translate("{operationType: 'someFutureEvent', ns: {db: 'a', coll: 'b'}}").invalidations());
    }
}

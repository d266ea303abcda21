package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.mongocache.coordination.ChangeStreamErrors.Kind;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** Errors shaped as the driver raises them from the servers' replies (messages as the servers word them). */
class ChangeStreamErrorsTest {

    private static MongoCommandException reply(String json) {
        return new MongoCommandException(BsonDocument.parse(json), new ServerAddress("db", 27017));
    }

    @Test
    void shouldTellAStandaloneServerRefusingTheStreamFromLostHistory() {
        MongoCommandException standalone = reply("{ok: 0, code: 40573, codeName: 'Location40573', errmsg: "
                + "'The $changeStream stage is only supported on replica sets'}");
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(standalone));
        assertEquals("40573 (Location40573): The $changeStream stage is only supported on replica sets",
                ChangeStreamErrors.reason(standalone));
    }

    @Test
    void shouldTakeMissingPrivilegesAndServersWithoutTheStageAsCannotOpen() {
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(reply("{ok: 0, code: 13, codeName: "
                + "'Unauthorized', errmsg: 'not authorized on shop to execute command { aggregate: \"products\" }'}")));
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(reply("{ok: 0, code: 40324, codeName: "
                + "'Location40324', errmsg: \"Unrecognized pipeline stage name: '$changeStream'\"}")));
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(reply("{ok: 0, code: 115, codeName: "
                + "'CommandNotSupported', errmsg: 'changeStream is not supported'}")));
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(reply("{ok: 0, code: 303, errmsg: 'refused'}")));
    }

    @Test
    void shouldTakeTheInProcessServerWithoutOplogAsCannotOpen() {
        // Exactly what mongo-java-server 1.47 answers to $changeStream without enableOplog(): no code at all.
        MongoCommandException noOplog = reply("{$err: 'Unknown error: null', errmsg: 'Unknown error: null', ok: 0}");
        assertEquals(-1, noOplog.getCode());
        assertEquals(Kind.CANNOT_OPEN, ChangeStreamErrors.classify(noOplog));
        assertEquals("-1: Unknown error: null", ChangeStreamErrors.reason(noOplog));
    }

    @Test
    void shouldTakeOnlyTheHistoryAndTokenCodesAsHistoryLost() {
        assertEquals(Kind.HISTORY_LOST, ChangeStreamErrors.classify(reply("{ok: 0, code: 286, codeName: "
                + "'ChangeStreamHistoryLost', errmsg: 'Resume of change stream was not possible, as the resume point "
                + "may no longer be in the oplog.'}")));
        assertEquals(Kind.HISTORY_LOST, ChangeStreamErrors.classify(reply("{ok: 0, code: 280, codeName: "
                + "'ChangeStreamFatalError', errmsg: 'cannot resume stream; the resume token was not found.'}")));
        assertEquals(Kind.HISTORY_LOST, ChangeStreamErrors.classify(reply("{ok: 0, code: 260, codeName: "
                + "'InvalidResumeToken', errmsg: \"Attempting to resume a change stream using 'resumeAfter' is not "
                + "allowed from an invalidate notification.\"}")));
        assertEquals(Kind.HISTORY_LOST, ChangeStreamErrors.classify(reply("{ok: 0, code: 136, codeName: "
                + "'CappedPositionLost', errmsg: 'CollectionScan died due to position in capped collection being "
                + "deleted'}")));
    }

    @Test
    void shouldResumeAfterNetworkErrorsAndLabelledErrorsOnly() {
        assertEquals(Kind.RESUMABLE, ChangeStreamErrors.classify(
                new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress())));
        assertEquals(Kind.RESUMABLE, ChangeStreamErrors.classify(reply("{ok: 0, code: 189, codeName: "
                + "'PrimarySteppedDown', errmsg: 'stepped down'}")));
        MongoCommandException labelled = reply("{ok: 0, code: 43, codeName: 'CursorNotFound', errmsg: 'cursor id 1 "
                + "not found', errorLabels: ['ResumableChangeStreamError']}");
        assertEquals(Kind.RESUMABLE, ChangeStreamErrors.classify(labelled));
        assertEquals(Kind.OTHER, ChangeStreamErrors.classify(reply("{ok: 0, code: 237, codeName: 'CursorKilled', "
                + "errmsg: 'cursor killed'}")));
        assertEquals(Kind.OTHER, ChangeStreamErrors.classify(new MongoException(2, "bad value")));
    }
}

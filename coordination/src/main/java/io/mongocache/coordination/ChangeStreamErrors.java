package io.mongocache.coordination;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import java.util.Set;

/**
 * What a change stream's error means for the watcher — one pure function, so the distinctions that decide whether
 * a scope is flushed, a token dropped or leadership handed over are made in one place and tested on the server's
 * own error shapes.
 *
 * <ul>
 *   <li>{@link Kind#HISTORY_LOST}: the stream cannot resume from its token (the history fell off the oplog, or the
 *       token is not one the server can resume from): drop the token, reopen fresh, flush the scope.
 *   <li>{@link Kind#CANNOT_OPEN}: the server cannot open a change stream here at all — not a replica set or sharded
 *       cluster, no privilege, no {@code $changeStream} stage. Nothing about the history is known, so nothing is
 *       dropped or flushed; retrying soon does not help.
 *   <li>{@link Kind#RESUMABLE}: a network error or one the server labels resumable: reopen from the token.
 *   <li>{@link Kind#OTHER}: anything else; not resumable, so its token is not trusted either.
 * </ul>
 */
final class ChangeStreamErrors {
    enum Kind { HISTORY_LOST, CANNOT_OPEN, RESUMABLE, OTHER }

    /**
     * The stream cannot resume from its token: 286 ChangeStreamHistoryLost, 280 ChangeStreamFatalError (the token's
     * event is not in the oplog), 260 InvalidResumeToken, 136 CappedPositionLost, and the codes servers before 4.2
     * used for the same (40576, 40585, 40615).
     */
    private static final Set<Integer> HISTORY_LOST = Set.of(286, 280, 260, 136, 40576, 40585, 40615);

    /**
     * The server cannot open a change stream: 40573 "$changeStream stage is only supported on replica sets" (a
     * standalone {@code mongod}), 13 Unauthorized, 40324 unrecognized pipeline stage (a server without change
     * streams), 115 CommandNotSupported, 303 (listed in issue 11 among a server's refusals to open one).
     */
    private static final Set<Integer> CANNOT_OPEN = Set.of(40573, 13, 40324, 115, 303);

    /** Errors a change stream resumes from (the driver's list, plus the driver's own socket errors -2 and -3). */
    private static final Set<Integer> RESUMABLE = Set.of(-2, -3, 6, 7, 63, 89, 91, 133, 150, 189, 234, 262, 9001,
            10107, 11600, 11602, 13388, 13435, 13436);

    private ChangeStreamErrors() {}

    /**
     * What {@code error} means. A command reply without any error code (the driver reports -1) also counts as
     * "cannot open": no MongoDB server answers a failed {@code $changeStream} that way — the in-process test server
     * does when it has no oplog ({@code {ok: 0, errmsg: "Unknown error: null"}}).
     */
    static Kind classify(MongoException error) {
        int code = error.getCode();
        if (HISTORY_LOST.contains(code)) {
            return Kind.HISTORY_LOST;
        }
        if (CANNOT_OPEN.contains(code) || (error instanceof MongoCommandException command
                && !command.getResponse().containsKey("code"))) {
            return Kind.CANNOT_OPEN;
        }
        if (error.hasErrorLabel("ResumableChangeStreamError") || RESUMABLE.contains(code)) {
            return Kind.RESUMABLE;
        }
        return Kind.OTHER;
    }

    /** The server's own words: {@code 40573 (Location40573): The $changeStream stage is only supported …}. */
    static String reason(MongoException error) {
        if (error instanceof MongoCommandException command) {
            String name = command.getErrorCodeName();
            return command.getErrorCode() + (name == null || name.isEmpty() ? "" : " (" + name + ")") + ": "
                    + command.getErrorMessage();
        }
        return error.getCode() + ": " + error.getMessage();
    }
}

package io.mongocache.pooling.bulk;

import java.time.Duration;

/** The checks the report records share. */
final class ReportChecks {

    private ReportChecks() {}

    static void check(int collections, long documents, int indexes, long bytes, Duration elapsed) {
        nonNegative("collections", collections);
        nonNegative("documents", documents);
        nonNegative("indexes", indexes);
        nonNegative("bytes", bytes);
        if (elapsed == null || elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed must be a non-negative duration but was " + elapsed);
        }
    }

    private static void nonNegative(String parameter, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(parameter + " must be >= 0 but was " + value);
        }
    }
}

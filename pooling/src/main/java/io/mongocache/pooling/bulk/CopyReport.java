package io.mongocache.pooling.bulk;

import java.time.Duration;

/**
 * What {@link BulkTasks#copyDatabase} did.
 *
 * @param collections collections copied ({@code system.*} collections and views are not counted)
 * @param documents   documents copied, over all collections
 * @param indexes     indexes copied, not counting the {@code _id_} index each collection has anyway
 * @param bytes       bytes of BSON documents copied
 * @param elapsed     wall-clock time the task took
 */
public record CopyReport(int collections, long documents, int indexes, long bytes, Duration elapsed) {

    /**
     * Checks the values.
     *
     * @param collections see the record description
     * @param documents   see the record description
     * @param indexes     see the record description
     * @param bytes       see the record description
     * @param elapsed     see the record description
     * @throws IllegalArgumentException if a count is negative or {@code elapsed} is null or negative
     */
    public CopyReport {
        ReportChecks.check(collections, documents, indexes, bytes, elapsed);
    }
}

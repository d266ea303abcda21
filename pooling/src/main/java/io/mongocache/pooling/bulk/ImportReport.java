package io.mongocache.pooling.bulk;

import java.time.Duration;

/**
 * What {@link BulkTasks#importFrom} or {@link BulkTasks#importInto} did.
 *
 * @param collections collections imported ({@code system.*} collections and views are not counted)
 * @param documents   documents imported, over all collections
 * @param indexes     indexes imported, not counting the {@code _id_} index each collection has anyway
 * @param bytes       bytes of JSON Lines read (UTF-8)
 * @param elapsed     wall-clock time the task took
 */
public record ImportReport(int collections, long documents, int indexes, long bytes, Duration elapsed) {

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
    public ImportReport {
        ReportChecks.check(collections, documents, indexes, bytes, elapsed);
    }
}

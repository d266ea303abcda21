package io.mongocache.pooling.bulk;

/**
 * Told how far a {@link BulkTasks} export, import or copy has got, once per batch.
 *
 * <p>Called on the thread running the task, after each batch of at most {@link
 * BulkTasks#batchSize(int) batchSize} documents has been written, and once more when a collection
 * is finished if its last batch was not reported yet (so an empty collection is reported too, with
 * zero documents). Within one task {@code totalDocuments} and {@code bytes} never decrease, and
 * {@code collectionDocuments} never decreases while {@code collection} stays the same.
 *
 * <p>A listener should return quickly: the task waits for it. If it throws, the task stops, cleans up
 * as it does for any other failure, and rethrows the listener's exception.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores every report; pass it where no progress is wanted. */
    ProgressListener NONE = (collection, collectionDocuments, totalDocuments, bytes) -> { };

    /**
     * Reports progress after a batch.
     *
     * @param collection          the collection the batch belonged to
     * @param collectionDocuments documents of {@code collection} done so far
     * @param totalDocuments      documents of all collections done so far in this task
     * @param bytes               bytes done so far: written to the output by an export, read from
     *                            the input by an import, or of BSON copied by a copy
     */
    void onBatch(String collection, long collectionDocuments, long totalDocuments, long bytes);
}

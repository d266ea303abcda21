package io.mongocache.pooling.bulk;

import org.jspecify.annotations.Nullable;

/**
 * MongoDB refused something a staged collection was given: its options, a document or an index.
 * Carries the origin (the input line for an import, 0 for a copy) so the importer can turn it into
 * an {@link ImportException} naming the line; a copy reports it as it is.
 */
final class RejectedInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long origin;

    RejectedInputException(long origin, String problem, @Nullable Throwable cause) {
        super(problem, cause);
        this.origin = origin;
    }

    /** The input line of what was refused, or 0 when the input has no lines (a copy). */
    long origin() {
        return origin;
    }
}

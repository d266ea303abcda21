package io.mongocache.pooling.bulk;

import io.mongocache.exceptions.MongoCacheException;
import org.jspecify.annotations.Nullable;

/**
 * The input of an import is not a valid export, or MongoDB refused what it describes; thrown by
 * {@link BulkTasks#importFrom} and {@link BulkTasks#importInto}.
 *
 * <p>When this is thrown the import has already been undone: no collection of the input was put
 * into the target database, and the temporary collections it was loaded into have been dropped.
 * If dropping one of them failed too, that failure is attached as a {@linkplain #getSuppressed()
 * suppressed} exception naming the collection to drop by hand.
 */
public final class ImportException extends MongoCacheException {

    private static final long serialVersionUID = 1L;

    /** The 1-based line where the problem was found. */
    private final long lineNumber;
    /** What is wrong, without the line number. */
    private final String problem;

    /**
     * An import failure caused by {@code cause}.
     *
     * @param lineNumber the 1-based line of the input where the problem was found; for input that
     *                   ends too early, the line after the last one
     * @param problem    what is wrong, e.g. {@code "malformed JSON: ..."}
     * @param cause      the underlying parse or server error, or null
     */
    public ImportException(long lineNumber, String problem, @Nullable Throwable cause) {
        super("line " + lineNumber + ": " + problem, cause);
        this.lineNumber = lineNumber;
        this.problem = problem;
    }

    /**
     * An import failure found by checking the input itself.
     *
     * @param lineNumber the 1-based line of the input where the problem was found
     * @param problem    what is wrong
     */
    public ImportException(long lineNumber, String problem) {
        this(lineNumber, problem, null);
    }

    /**
     * Where the problem was found.
     *
     * @return the 1-based line; for input that ends too early, the line after the last
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * What is wrong.
     *
     * @return the problem, without the line number
     */
    public String problem() {
        return problem;
    }
}

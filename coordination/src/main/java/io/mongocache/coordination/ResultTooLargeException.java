package io.mongocache.coordination;

/**
 * A delegated read whose result would exceed the {@code maxBytes} its caller accepts: the peer stopped sending (or
 * the caller stopped receiving) instead of buffering it whole. Not retried on another peer — the result is as large
 * everywhere; the cache runs such a read here and streams it.
 */
public final class ResultTooLargeException extends DelegationException {
    private static final long serialVersionUID = 1L;

    public ResultTooLargeException(String message) {
        super(message);
    }
}

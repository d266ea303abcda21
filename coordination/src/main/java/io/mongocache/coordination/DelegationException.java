package io.mongocache.coordination;

/** A delegated read that did not produce a result: the peer that ran it reported an error. */
public class DelegationException extends io.mongocache.exceptions.MongoCacheException {
    private static final long serialVersionUID = 1L;

    public DelegationException(String message) {
        super(message);
    }
}

package io.mongocache.coordination;

import java.util.List;

/**
 * No peer could serve a delegated read within its deadline and attempt limit: every peer tried refused (saturated
 * too), stayed silent, or none advertised free capacity for the database.
 */
public final class NoPeerAvailableException extends DelegationException {
    private static final long serialVersionUID = 1L;
    private final String database;
    private final int attempts;
    private final List<String> reasons;

    public NoPeerAvailableException(String database, int attempts, List<String> reasons) {
        super("no peer could serve a read on database '" + database + "' (" + attempts + " attempt(s)): "
                + String.join("; ", reasons));
        this.database = database;
        this.attempts = attempts;
        this.reasons = List.copyOf(reasons);
    }

    /** The database read. */
    public String database() {
        return database;
    }

    /** Peers tried. */
    public int attempts() {
        return attempts;
    }

    /** Why each attempt (or the search for a peer) failed. */
    public List<String> reasons() {
        return reasons;
    }
}

package io.mongocache.coordination;

/**
 * A lease held: by whom, and under which epoch — the fencing token every action of the leader carries.
 *
 * @param name the lease's name
 * @param holder the node holding it
 * @param epoch incremented on every takeover, never on renewal
 */
public record Lease(String name, String holder, long epoch) {}

/**
 * Coordination between the nodes of a deployment, behind one entry point,
 * {@link io.mongocache.coordination.Coordinator}:
 *
 * <ul>
 *   <li>leader election on a lease in MongoDB ({@link io.mongocache.coordination.LeaderElector} on
 *       {@link io.mongocache.coordination.LeaseStore}): one atomic {@code findOneAndUpdate} per acquisition or
 *       renewal, expiry judged by the server's clock, an epoch that fences off an older leader;
 *   <li>the leader's change-stream watchers ({@link io.mongocache.coordination.ChangeStreamWatcher}; many
 *       collections share a few threads), which turn writes by any program into the cache's invalidations on every
 *       node and checkpoint their resume tokens under the leader's epoch;
 *   <li>the node registry ({@link io.mongocache.coordination.NodeRegistry}): each node's heartbeat, leadership and
 *       free pool capacity per database;
 *   <li>read delegation over Redis pub/sub ({@link io.mongocache.coordination.Delegation}): a node whose pool for a
 *       database is saturated has a peer run the read — asked directly, or for a cache miss through the cache's
 *       {@link io.mongocache.spi.ReadDelegate}.
 * </ul>
 *
 * <p>State lives in the state database (default {@code mongocache}): {@code leases}, {@code checkpoints} and
 * {@code nodes}.
 */
@NullMarked
package io.mongocache.coordination;

import org.jspecify.annotations.NullMarked;

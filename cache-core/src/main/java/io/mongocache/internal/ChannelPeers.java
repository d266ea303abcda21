package io.mongocache.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What one node knows of the other nodes on the invalidation channel, and the deadline until which its local tier
 * may serve — the pure part of {@link InvalidationChannel}, driven by message arrivals and a clock passed in, so
 * that the rules below have fast deterministic tests.
 *
 * <p>Rules. Per peer: its epoch, the last sequence number heard, when its last heartbeat arrived, and whether it
 * invalidates asynchronously. An invalidation whose sequence is not the next one, or any message of a new epoch
 * of a known peer, is a gap; a heartbeat announcing a sequence number not yet heard is a gap. First contact with
 * an asynchronous peer asks for a flush. Trust: {@code proof + maxStaleness} (own heartbeat round trip), or, once
 * this node or any peer is asynchronous, {@code proof + maxStaleness − D}, and no later than
 * {@code lastHeartbeat + W} of every asynchronous peer (D = maxStaleness / 4, W = maxStaleness / 2; see
 * {@link InvalidationChannel}). While an asynchronous peer is silent (no heartbeat for W) the shared tier is not
 * trusted either: the peer may have acknowledged writes whose token deletions never reached Redis. A peer silent for
 * {@code peerTimeout} is forgotten, and {@link #prune} says whether it was asynchronous: what it may have failed to
 * send is then covered by flushing the local tier and retiring the era in Redis. (A synchronous peer's silence
 * never delays anyone's trust; forgetting it only frees memory.) A goodbye forgets a peer at once.
 *
 * <p>Concurrency: every method is synchronized; {@link #trusted} reads one volatile field. Memory: one small entry
 * per peer heard within {@code peerTimeout}.
 */
final class ChannelPeers {

    /** What a message means for the local tier. */
    enum Outcome {
        /** Applied in order. */
        IN_ORDER,
        /** Messages were lost: flush. */
        GAP,
        /** A new asynchronous peer: flush (what it acknowledged before it was heard of is unknown). */
        NEW_ASYNC_PEER
    }

    private static final class Peer {
        long epoch;
        long lastSequence;
        long lastHeartbeatNanos;
        boolean async;
    }

    private final long maxStalenessNanos;
    private final long asyncSendBoundNanos;
    private final long silenceBoundNanos;
    private final long peerTimeoutNanos;
    private final boolean asyncSelf;
    private final Map<String, Peer> peers = new HashMap<>();
    private boolean proven;
    private long proofSentNanos;
    private volatile boolean trustedEver;
    private volatile long trustedUntilNanos;
    private volatile boolean asyncPeers;
    private volatile long asyncPeersHeardUntilNanos;

    ChannelPeers(long maxStalenessNanos, long peerTimeoutNanos, boolean asyncSelf) {
        this.maxStalenessNanos = maxStalenessNanos;
        this.asyncSendBoundNanos = maxStalenessNanos / 4;
        this.silenceBoundNanos = maxStalenessNanos / 2;
        this.peerTimeoutNanos = peerTimeoutNanos;
        this.asyncSelf = asyncSelf;
    }

    /** Whether the local tier may serve at {@code nowNanos}. */
    boolean trusted(long nowNanos) {
        return trustedEver && nowNanos - trustedUntilNanos < 0;
    }

    /** Whether the shared tier may serve at {@code nowNanos}: every asynchronous peer was heard within W. */
    boolean sharedTrusted(long nowNanos) {
        return !asyncPeers || nowNanos - asyncPeersHeardUntilNanos < 0;
    }

    /** This node's own heartbeat, sent at {@code sentNanos}, came back. Returns whether it is the newest proof. */
    synchronized boolean proof(long sentNanos) {
        boolean newer = !proven || sentNanos - proofSentNanos > 0;
        if (newer) {
            proofSentNanos = sentNanos;
        }
        proven = true;
        update();
        return newer;
    }

    synchronized long proofSentNanos() {
        return proofSentNanos;
    }

    synchronized boolean proven() {
        return proven;
    }

    synchronized Outcome invalidation(String node, long epoch, long sequence, boolean async, long nowNanos) {
        Peer peer = peers.get(node);
        Outcome outcome;
        if (peer == null) {
            peer = new Peer();
            // Only heartbeats vouch for a peer; until one arrives an asynchronous peer counts as silent.
            peer.lastHeartbeatNanos = nowNanos - silenceBoundNanos;
            peers.put(node, peer);
            outcome = async ? Outcome.NEW_ASYNC_PEER : Outcome.IN_ORDER;
        } else {
            outcome = peer.epoch != epoch || sequence != peer.lastSequence + 1 ? Outcome.GAP : Outcome.IN_ORDER;
        }
        peer.epoch = epoch;
        peer.lastSequence = sequence;
        peer.async = async;
        update();
        return outcome;
    }

    synchronized Outcome heartbeat(String node, long epoch, long sequence, boolean async, long nowNanos) {
        Peer peer = peers.get(node);
        Outcome outcome;
        if (peer == null) {
            peer = new Peer();
            peer.epoch = epoch;
            peer.lastSequence = sequence;
            peers.put(node, peer);
            outcome = async ? Outcome.NEW_ASYNC_PEER : Outcome.IN_ORDER;
        } else if (peer.epoch != epoch || sequence > peer.lastSequence) {
            outcome = Outcome.GAP;
            peer.epoch = epoch;
            peer.lastSequence = sequence;
        } else {
            outcome = Outcome.IN_ORDER;
        }
        peer.lastHeartbeatNanos = nowNanos;
        peer.async = async;
        update();
        return outcome;
    }

    synchronized void goodbye(String node) {
        peers.remove(node);
        update();
    }

    /** A (re-)subscription: whatever was known of the peers may have missed messages. */
    synchronized void resubscribed() {
        peers.clear();
        update();
    }

    /**
     * Forgets peers silent for longer than the peer timeout.
     *
     * @return whether an asynchronous peer was forgotten (its unsent invalidations must be covered by a flush)
     */
    synchronized boolean prune(long nowNanos) {
        boolean removed = false;
        boolean silentAsync = false;
        for (Iterator<Peer> it = peers.values().iterator(); it.hasNext(); ) {
            Peer p = it.next();
            if (nowNanos - p.lastHeartbeatNanos > peerTimeoutNanos) {
                it.remove();
                removed = true;
                silentAsync |= p.async;
            }
        }
        if (removed) {
            update();
        }
        return silentAsync;
    }

    synchronized int size() {
        return peers.size();
    }

    private void update() {
        boolean anyAsyncPeer = false;
        long peersDeadline = 0;
        for (Peer p : peers.values()) {
            if (p.async) {
                long d = p.lastHeartbeatNanos + silenceBoundNanos;
                if (!anyAsyncPeer || d - peersDeadline < 0) {
                    peersDeadline = d;
                }
                anyAsyncPeer = true;
            }
        }
        asyncPeersHeardUntilNanos = peersDeadline;
        asyncPeers = anyAsyncPeer;
        if (!proven) {
            return;
        }
        long window = asyncSelf || anyAsyncPeer ? maxStalenessNanos - asyncSendBoundNanos : maxStalenessNanos;
        long proofDeadline = proofSentNanos + window;
        trustedUntilNanos = anyAsyncPeer && peersDeadline - proofDeadline < 0 ? peersDeadline : proofDeadline;
        trustedEver = true;
    }
}

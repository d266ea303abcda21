package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.internal.ChannelPeers.Outcome;
import org.junit.jupiter.api.Test;

/** The channel's rules on a clock passed in: proofs, gaps, asynchronous peers, pruning. */
class ChannelPeersTest {
    private static final long MS = 1_000_000L;
    private static final long M = 2_000 * MS;
    private static final long TIMEOUT = 10_000 * MS;

    @Test
    void shouldTrustOnlyWithinMaxStalenessOfTheLastProof() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        assertFalse(peers.trusted(0), "no proof yet");
        peers.proof(100 * MS);
        assertTrue(peers.trusted(100 * MS));
        assertTrue(peers.trusted(100 * MS + M - 1));
        assertFalse(peers.trusted(100 * MS + M));
        assertFalse(peers.proof(50 * MS), "an older heartbeat coming back late proves nothing newer");
        assertFalse(peers.trusted(100 * MS + M));
        assertTrue(peers.proof(1_000 * MS));
        assertTrue(peers.trusted(1_000 * MS + M - 1));
    }

    @Test
    void shouldDetectGapsEpochChangesAndHeartbeatsAhead() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        assertEquals(Outcome.IN_ORDER, peers.invalidation("a", 1, 1, false, 0));
        assertEquals(Outcome.IN_ORDER, peers.invalidation("a", 1, 2, false, 0));
        assertEquals(Outcome.GAP, peers.invalidation("a", 1, 4, false, 0), "3 was lost");
        assertEquals(Outcome.IN_ORDER, peers.invalidation("a", 1, 5, false, 0));
        assertEquals(Outcome.GAP, peers.invalidation("a", 2, 6, false, 0), "a restarted node is a new epoch");
        assertEquals(Outcome.IN_ORDER, peers.heartbeat("a", 2, 6, false, 0));
        assertEquals(Outcome.GAP, peers.heartbeat("a", 2, 8, false, 0), "7 and 8 never arrived");
        assertEquals(Outcome.IN_ORDER, peers.invalidation("a", 2, 9, false, 0));
        assertEquals(Outcome.IN_ORDER, peers.heartbeat("b", 7, 40, false, 0), "a new peer is no gap");
    }

    @Test
    void shouldNarrowTrustForAnAsynchronousPeerAndEndItWhenThePeerFallsSilent() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        peers.proof(0);
        assertTrue(peers.trusted(M - 1));
        assertEquals(Outcome.NEW_ASYNC_PEER, peers.heartbeat("async", 1, 0, true, 0));
        // Own proof: maxStaleness - D; the peer: W after its last heartbeat.
        assertTrue(peers.trusted(M / 2 - 1));
        assertFalse(peers.trusted(M / 2), "the asynchronous peer's heartbeat is W old");
        assertFalse(peers.sharedTrusted(M / 2), "its token deletions may be missing too");
        peers.heartbeat("async", 1, 0, true, M / 2);
        assertTrue(peers.trusted(M / 2 + 1));
        assertTrue(peers.sharedTrusted(M / 2 + 1));
        assertFalse(peers.trusted(3 * M / 4), "own proof is maxStaleness - D old");
        peers.proof(M);
        peers.heartbeat("async", 1, 0, true, M);
        assertTrue(peers.trusted(M + M / 2 - 1));
        peers.goodbye("async");
        assertTrue(peers.trusted(M + M / 2), "without asynchronous peers the window is maxStaleness again");
        assertTrue(peers.trusted(2 * M - 1));
    }

    @Test
    void shouldCountAnAsynchronousPeerFirstHeardByAnInvalidationAsSilent() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        peers.proof(0);
        assertEquals(Outcome.NEW_ASYNC_PEER, peers.invalidation("async", 1, 1, true, 10 * MS));
        assertFalse(peers.trusted(10 * MS), "no heartbeat has vouched for it yet");
        assertFalse(peers.sharedTrusted(10 * MS));
        peers.heartbeat("async", 1, 1, true, 20 * MS);
        assertTrue(peers.trusted(20 * MS));
    }

    @Test
    void shouldUseTheNarrowWindowWhenThisNodeIsAsynchronous() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, true);
        peers.proof(0);
        assertTrue(peers.trusted(3 * M / 4 - 1));
        assertFalse(peers.trusted(3 * M / 4));
        assertTrue(peers.sharedTrusted(10 * M), "no asynchronous peer: the shared tier is checked by its tokens");
    }

    @Test
    void shouldForgetSilentPeersAndSayWhenAnAsynchronousOneWent() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        peers.proof(TIMEOUT);
        peers.heartbeat("sync", 1, 0, false, 0);
        peers.heartbeat("async", 1, 0, true, 10 * MS);
        assertFalse(peers.prune(TIMEOUT), "not yet silent for the timeout");
        assertEquals(2, peers.size());
        assertFalse(peers.trusted(TIMEOUT), "the silent asynchronous peer is distrusted until it is forgotten");
        assertFalse(peers.prune(TIMEOUT + 1), "a synchronous peer is forgotten silently");
        assertEquals(1, peers.size());
        assertTrue(peers.prune(TIMEOUT + 10 * MS + 1), "an asynchronous one: its unsent invalidations need a flush");
        assertEquals(0, peers.size());
        assertTrue(peers.trusted(TIMEOUT + 10 * MS + 1));
        assertTrue(peers.sharedTrusted(TIMEOUT + 10 * MS + 1));
    }

    @Test
    void shouldForgetEveryPeerOnResubscription() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        peers.invalidation("a", 1, 1, false, 0);
        peers.resubscribed();
        assertEquals(0, peers.size());
        assertEquals(Outcome.IN_ORDER, peers.invalidation("a", 1, 7, false, 0), "no history, no gap");
    }

    @Test
    void shouldKeepMemoryBoundedWhenManyNodesComeAndGo() {
        ChannelPeers peers = new ChannelPeers(M, TIMEOUT, false);
        for (int i = 0; i < 10_000; i++) {
            long now = i * 10 * MS;
            peers.heartbeat("node-" + i, i, 0, false, now);
            peers.prune(now);
        }
        assertTrue(peers.size() <= TIMEOUT / (10 * MS) + 1, "only peers heard within the timeout: " + peers.size());
    }
}

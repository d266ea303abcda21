package io.mongocache.benchmarks.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FreshnessCheckerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldCountAnOlderVersionAnsweredAfterTheWritesBoundPassed() {
        FreshnessChecker checker = new FreshnessChecker();
        checker.acknowledged("db/p1", 3, 10 * SECOND, SECOND, "PUT");
        assertTrue(checker.check("db/p1", 2, 11 * SECOND + 1, "read"));
        assertEquals(1, checker.stale());
        assertTrue(checker.examples().get(0).contains("version 3 (PUT)"), checker.examples().toString());
    }

    @Test
    void shouldAcceptAnOlderVersionWithinTheBound() {
        FreshnessChecker checker = new FreshnessChecker();
        checker.acknowledged("db/p1", 3, 10 * SECOND, SECOND, "PUT");
        assertFalse(checker.check("db/p1", 2, 10 * SECOND + SECOND / 2, "read"));
        assertFalse(checker.check("db/p1", 2, 9 * SECOND, "read sent before the write"));
        assertEquals(0, checker.stale());
        assertEquals(2, checker.checked());
    }

    @Test
    void shouldHoldEachWriteToItsOwnBound() {
        FreshnessChecker checker = new FreshnessChecker();
        checker.acknowledged("db/p1", 1, 10 * SECOND, SECOND, "PUT");
        checker.acknowledged("db/p1", 2, 10 * SECOND, 5 * SECOND, "outside write");
        assertFalse(checker.check("db/p1", 1, 12 * SECOND, "read"));
        assertTrue(checker.check("db/p1", 1, 16 * SECOND, "read"));
        assertFalse(checker.check("db/p1", 5, 16 * SECOND, "newer than any acknowledged write"));
        assertFalse(checker.check("db/other", 0, 16 * SECOND, "a document never written"));
    }
}

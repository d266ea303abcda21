package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** One rule for "saturated" and "free connections", shared by statistics and {@code pools().isSaturated}. */
class PoolsMonitorUsageTest {

    @Test
    void shouldBeSaturatedWhenEveryConnectionIsInUseOrSomeoneWaits() {
        assertFalse(new PoolsMonitor.Usage(0, 2, 3).saturated());
        assertTrue(new PoolsMonitor.Usage(0, 3, 3).saturated());
        assertTrue(new PoolsMonitor.Usage(1, 0, 3).saturated(), "a waiting thread saturates");
        assertFalse(new PoolsMonitor.Usage(0, 0, 0).saturated(), "no known limit is not saturation");
    }

    @Test
    void shouldOfferTheConnectionsLeftAndNoneWhileSomeoneWaits() {
        assertEquals(1, new PoolsMonitor.Usage(0, 2, 3).free());
        assertEquals(0, new PoolsMonitor.Usage(1, 0, 3).free());
        assertEquals(0, new PoolsMonitor.Usage(0, 5, 3).free(), "never negative");
    }
}

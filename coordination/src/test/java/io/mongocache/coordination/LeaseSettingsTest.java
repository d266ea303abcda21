package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseSettingsTest {

    @Test
    void shouldEnforceLeaseGreaterThanDeadlineGreaterThanRetries() {
        assertTrue(LeaseSettings.DEFAULTS.leaseDuration().compareTo(LeaseSettings.DEFAULTS.renewDeadline()) > 0);
        var e = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertTrue(e.getMessage().startsWith("leaseDuration"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(Duration.ofSeconds(15),
                Duration.ofMillis(2400), Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("1.2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(null, Duration.ofSeconds(1),
                Duration.ofMillis(1)));
    }
}

package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void shouldSayAMissingDurationMustNotBeNullNotThatNullIsNotPositive() {
        var lease = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(null,
                Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertEquals("leaseDuration must not be null", lease.getMessage());
        var deadline = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(Duration.ofSeconds(15),
                null, Duration.ofSeconds(2)));
        assertEquals("renewDeadline must not be null", deadline.getMessage());
        var retry = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(Duration.ofSeconds(15),
                Duration.ofSeconds(10), null));
        assertEquals("retryPeriod must not be null", retry.getMessage());
        var zero = assertThrows(IllegalArgumentException.class, () -> new LeaseSettings(Duration.ZERO,
                Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertEquals("leaseDuration must be positive but was PT0S", zero.getMessage());
    }

    @Test
    void shouldBuildFromTheDefaultsAndValidateTheWholeAtBuild() {
        LeaseSettings shorter = LeaseSettings.builder().leaseDuration(Duration.ofSeconds(30)).build();
        assertEquals(new LeaseSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(2)), shorter);
        assertEquals(shorter, shorter.toBuilder().build());
        // Each value alone is fine; together they break the rule, which build() names.
        LeaseSettings.Builder tooTight = LeaseSettings.builder().renewDeadline(Duration.ofSeconds(20));
        var e = assertThrows(IllegalArgumentException.class, tooTight::build);
        assertTrue(e.getMessage().startsWith("leaseDuration (PT15S) must be > renewDeadline"), e.getMessage());

        DelegationSettings delegation = DelegationSettings.builder().ackTimeout(Duration.ofMillis(500)).build();
        assertEquals(new DelegationSettings(Duration.ofMillis(500), 3, 4, 256 * 1024), delegation);
        assertEquals(delegation, delegation.toBuilder().build());
        var permits = assertThrows(IllegalArgumentException.class,
                () -> DelegationSettings.builder().servingPermits(0).build());
        assertEquals("servingPermits must be 1 to 64 but was 0", permits.getMessage());
    }
}

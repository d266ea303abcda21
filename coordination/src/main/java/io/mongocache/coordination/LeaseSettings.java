package io.mongocache.coordination;

import com.mongodb.annotations.Immutable;
import io.mongocache.common.Checks;
import java.time.Duration;

/**
 * Timing of a lease: {@code leaseDuration > renewDeadline > 1.2 × retryPeriod} (defaults 15 s / 10 s / 2 s).
 * A leader renews every {@code retryPeriod}; if it cannot renew within {@code renewDeadline} of its last success
 * it steps down, well before {@code leaseDuration} lets anyone else take over.
 *
 * @param leaseDuration how long a lease lasts after its last renewal, judged by the server's clock
 * @param renewDeadline how long a leader keeps leading without a successful renewal
 * @param retryPeriod how often to renew (leader) or try to acquire (others)
 */
@Immutable
public record LeaseSettings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    /** 15 s / 10 s / 2 s. */
    public static final LeaseSettings DEFAULTS =
            new LeaseSettings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    /**
     * @throws IllegalArgumentException if a value is null ("retryPeriod must not be null"), zero or negative, or
     *     unless {@code leaseDuration > renewDeadline > 1.2 × retryPeriod}
     */
    public LeaseSettings {
        Checks.positive("leaseDuration", leaseDuration);
        Checks.positive("renewDeadline", renewDeadline);
        Checks.positive("retryPeriod", retryPeriod);
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("leaseDuration (" + leaseDuration + ") must be > renewDeadline ("
                    + renewDeadline + ")");
        }
        if (renewDeadline.toNanos() <= retryPeriod.toNanos() * 12 / 10) {
            throw new IllegalArgumentException("renewDeadline (" + renewDeadline + ") must be > 1.2 × retryPeriod ("
                    + retryPeriod + ")");
        }
    }
}

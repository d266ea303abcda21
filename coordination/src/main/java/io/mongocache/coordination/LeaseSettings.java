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

    /** A builder starting from {@link #DEFAULTS}; {@link Builder#build()} validates the whole. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link LeaseSettings}; each setter overrides one value, {@link #build()} checks them together. */
    public static final class Builder {
        private Duration leaseDuration;
        private Duration renewDeadline;
        private Duration retryPeriod;

        private Builder(LeaseSettings from) {
            this.leaseDuration = from.leaseDuration;
            this.renewDeadline = from.renewDeadline;
            this.retryPeriod = from.retryPeriod;
        }

        /** See {@link LeaseSettings#leaseDuration()}. */
        public Builder leaseDuration(Duration duration) {
            this.leaseDuration = duration;
            return this;
        }

        /** See {@link LeaseSettings#renewDeadline()}. */
        public Builder renewDeadline(Duration deadline) {
            this.renewDeadline = deadline;
            return this;
        }

        /** See {@link LeaseSettings#retryPeriod()}. */
        public Builder retryPeriod(Duration period) {
            this.retryPeriod = period;
            return this;
        }

        /** @throws IllegalArgumentException naming the value and the rule it breaks */
        public LeaseSettings build() {
            return new LeaseSettings(leaseDuration, renewDeadline, retryPeriod);
        }
    }
}

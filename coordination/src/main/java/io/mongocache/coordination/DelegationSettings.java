package io.mongocache.coordination;

import com.mongodb.annotations.Immutable;
import io.mongocache.common.Checks;
import java.time.Duration;

/**
 * How reads are delegated between nodes.
 *
 * @param ackTimeout how long to wait for a peer's ack, and, after it, for any sign of life (a chunk or a keep-alive)
 *     before trying the next peer; default 1 s
 * @param maxAttempts how many peers to try at most for one read; default 3
 * @param servingPermits how many delegated reads this node runs for peers at once; a request beyond that is
 *     refused at once, never queued; default 4
 * @param chunkBytes the size at which a result is cut into a message; default 256 KiB
 */
@Immutable
public record DelegationSettings(Duration ackTimeout, int maxAttempts, int servingPermits, int chunkBytes) {

    /** 1 s, 3 attempts, 4 permits, 256 KiB chunks. */
    public static final DelegationSettings DEFAULTS = new DelegationSettings(Duration.ofSeconds(1), 3, 4, 256 * 1024);

    /**
     * @throws IllegalArgumentException unless {@code ackTimeout} is positive, {@code maxAttempts} and
     *     {@code servingPermits} are 1 to 64, and {@code chunkBytes} is 1 KiB to 8 MiB
     */
    public DelegationSettings {
        Checks.positive("ackTimeout", ackTimeout);
        if (maxAttempts < 1 || maxAttempts > 64) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 64 but was " + maxAttempts);
        }
        if (servingPermits < 1 || servingPermits > 64) {
            throw new IllegalArgumentException("servingPermits must be 1 to 64 but was " + servingPermits);
        }
        if (chunkBytes < 1024 || chunkBytes > 8 * 1024 * 1024) {
            throw new IllegalArgumentException("chunkBytes must be 1 KiB to 8 MiB but was " + chunkBytes);
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

    /** Builds {@link DelegationSettings}; each setter overrides one value, {@link #build()} checks them together. */
    public static final class Builder {
        private Duration ackTimeout;
        private int maxAttempts;
        private int servingPermits;
        private int chunkBytes;

        private Builder(DelegationSettings from) {
            this.ackTimeout = from.ackTimeout;
            this.maxAttempts = from.maxAttempts;
            this.servingPermits = from.servingPermits;
            this.chunkBytes = from.chunkBytes;
        }

        /** See {@link DelegationSettings#ackTimeout()}. */
        public Builder ackTimeout(Duration timeout) {
            this.ackTimeout = timeout;
            return this;
        }

        /** See {@link DelegationSettings#maxAttempts()}. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** See {@link DelegationSettings#servingPermits()}. */
        public Builder servingPermits(int permits) {
            this.servingPermits = permits;
            return this;
        }

        /** See {@link DelegationSettings#chunkBytes()}. */
        public Builder chunkBytes(int bytes) {
            this.chunkBytes = bytes;
            return this;
        }

        /** @throws IllegalArgumentException naming the value and the rule it breaks */
        public DelegationSettings build() {
            return new DelegationSettings(ackTimeout, maxAttempts, servingPermits, chunkBytes);
        }
    }
}

package io.mongocache.pooling;

import com.mongodb.TransactionOptions;
import com.mongodb.annotations.Immutable;
import com.mongodb.client.ClientSession;
import io.mongocache.common.Checks;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How {@link MongoPools#transaction} runs a transaction: the driver's transaction options, the overall time limit
 * for every attempt together, the back-off between attempts, and a hook called after each attempt ends (commit
 * or abort) — the way a cache learns that it must invalidate the transaction's writes again
 * ({@code settings.onEnd(cache::afterTransaction)}).
 */
@Immutable
public final class TransactionSettings {
    private final TransactionOptions options;
    private final Duration timeout;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Consumer<ClientSession> onEnd;

    private TransactionSettings(TransactionOptions options, Duration timeout, Duration initialBackoff,
            Duration maxBackoff, Consumer<ClientSession> onEnd) {
        this.options = options;
        this.timeout = timeout;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.onEnd = onEnd;
    }

    /** Defaults: the driver's default options, 60 s overall, back-off from 10 ms doubling up to 1 s, no hook. */
    public static TransactionSettings defaults() {
        return new TransactionSettings(TransactionOptions.builder().build(), Duration.ofSeconds(60),
                Duration.ofMillis(10), Duration.ofSeconds(1), session -> { });
    }

    public TransactionSettings options(TransactionOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        return new TransactionSettings(options, timeout, initialBackoff, maxBackoff, onEnd);
    }

    /** @throws IllegalArgumentException if not positive */
    public TransactionSettings timeout(Duration timeout) {
        return new TransactionSettings(options, Checks.positive("timeout", timeout), initialBackoff, maxBackoff,
                onEnd);
    }

    /** @throws IllegalArgumentException if not positive, or the initial back-off exceeds the maximum */
    public TransactionSettings backoff(Duration initial, Duration max) {
        Checks.positive("initialBackoff", initial);
        Checks.positive("maxBackoff", max);
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("initialBackoff (" + initial + ") must be <= maxBackoff (" + max + ")");
        }
        return new TransactionSettings(options, timeout, initial, max, onEnd);
    }

    /** Called after every attempt ends, committed or aborted, with the attempt's session. */
    public TransactionSettings onEnd(Consumer<ClientSession> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("onEnd must not be null");
        }
        return new TransactionSettings(options, timeout, initialBackoff, maxBackoff, hook);
    }

    public TransactionOptions options() {
        return options;
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Consumer<ClientSession> onEnd() {
        return onEnd;
    }
}

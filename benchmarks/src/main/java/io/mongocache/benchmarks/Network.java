package io.mongocache.benchmarks;

import io.mongocache.testing.LatencyProxyProcess;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a benchmark's client reaches MongoDB and Redis: directly on loopback, or through test-support's latency proxy
 * (a process of its own) adding 250 µs each way, roughly a same-zone network. A JMH {@code @Param} value.
 */
public enum Network {
    /** Direct loopback connections. */
    LOOPBACK(Duration.ZERO),
    /** 250 µs each way through a latency proxy. */
    NET_250US(Duration.ofNanos(250_000));

    private final Duration oneWay;

    Network(Duration oneWay) {
        this.oneWay = oneWay;
    }

    /** A proxy to {@code port} adding this network's latency, or null on loopback. The caller closes it. */
    @Nullable LatencyProxyProcess link(int port) {
        return oneWay.isZero() ? null : LatencyProxyProcess.start(port, oneWay);
    }
}

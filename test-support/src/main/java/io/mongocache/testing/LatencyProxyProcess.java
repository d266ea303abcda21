package io.mongocache.testing;

import java.io.IOException;
import java.time.Duration;

/**
 * A {@link TcpProxy} with a network latency ({@link TcpProxy#latency}) in a JVM of its own, so that simulating a
 * network costs the benchmark's own process no threads, heap or GC — like a real network would not.
 */
public final class LatencyProxyProcess implements AutoCloseable {
    private final ChildJvm child;
    private final int port;

    private LatencyProxyProcess(ChildJvm child) {
        this.child = child;
        this.port = Integer.parseInt(child.announcement());
    }

    /** A proxy to {@code targetPort} on loopback adding {@code oneWay} in each direction. */
    public static LatencyProxyProcess start(int targetPort, Duration oneWay) {
        return new LatencyProxyProcess(ChildJvm.start(Main.class, "256m", "proxy-" + targetPort,
                Integer.toString(targetPort), Long.toString(oneWay.toNanos())));
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** The proxy process's id, for reading the CPU time that simulating the network costs. */
    public long pid() {
        return child.pid();
    }

    @Override
    public void close() {
        child.close();
    }

    /** The child's main: {@code <targetPort> <latencyNanos>}. */
    public static final class Main {
        private Main() {}

        public static void main(String[] args) throws IOException {
            try (TcpProxy proxy = TcpProxy.raw(Integer.parseInt(args[0])).latency(Duration.ofNanos(Long.parseLong(args[1])))) {
                ChildJvm.announceAndWait(Integer.toString(proxy.port()));
            }
            System.exit(0);
        }
    }
}

package io.mongocache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds loopback ports that are free right now.
 *
 * <p>Failure modes: a port is only known to be free at the moment its probe socket closes; another
 * process can take it before our server binds it. Callers must detect a failed bind and pick again.
 */
final class FreePorts {

    private FreePorts() {}

    /** A loopback port that was free a moment ago. */
    static int pick() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind an ephemeral loopback port", e);
        }
    }

    /** A loopback port that was free a moment ago and differs from {@code taken}. */
    static int pickOtherThan(int taken) {
        while (true) {
            int port = pick();
            if (port != taken) {
                return port;
            }
        }
    }
}

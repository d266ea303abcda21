package io.mongocache.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The latency line of {@link TcpProxy} (pipelined writes arrive whole and in order, both ways) and its held replies
 * (nothing reaches the client until released).
 */
class TcpProxyLatencyIT {

    /** A loopback server that echoes what it receives, for one connection. */
    private static ServerSocket echo() throws IOException {
        ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            try (Socket s = echo.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }, "echo");
        server.setDaemon(true);
        server.start();
        return echo;
    }

    @Test
    void shouldDeliverPipelinedWritesIntactAndInOrder() throws Exception {
        try (ServerSocket echo = echo();
                TcpProxy proxy = TcpProxy.raw(echo.getLocalPort()).latency(Duration.ofMillis(2));
                Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            Random random = new Random(3);
            byte[] sent = new byte[200 * 37];
            random.nextBytes(sent);
            OutputStream out = client.getOutputStream();
            for (int i = 0; i < 200; i++) {
                out.write(sent, i * 37, 37); // back to back, without waiting for replies
            }
            out.flush();
            byte[] received = new byte[sent.length];
            new DataInputStream(client.getInputStream()).readFully(received);
            assertArrayEquals(sent, received);
            assertEquals(1, proxy.activeConnections());
        }
    }

    @Test
    void shouldHoldRepliesTheServerSentUntilReleased() throws Exception {
        try (ServerSocket echo = echo(); TcpProxy proxy = TcpProxy.raw(echo.getLocalPort());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            proxy.holdReplies();
            long received = proxy.receivedReplies();
            byte[] sent = {1, 2, 3};
            client.getOutputStream().write(sent);
            Await.until(() -> proxy.receivedReplies() > received, Duration.ofSeconds(10), "the server's reply");
            assertEquals(0, client.getInputStream().available(), "the reply left the server but waits in the proxy");
            proxy.releaseReplies();
            byte[] reply = new byte[sent.length];
            new DataInputStream(client.getInputStream()).readFully(reply);
            assertArrayEquals(sent, reply);
        }
    }

    @Test
    void shouldRejectANegativeLatency() {
        try (TcpProxy proxy = TcpProxy.raw(1)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> proxy.latency(Duration.ofMillis(-1)));
        }
    }
}

package io.mongocache.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A loopback TCP proxy for fault injection between a client and a server on this machine.
 *
 * <p>Two modes of the server-to-client direction: {@link #raw} copies bytes (and can delay them, e.g. to make
 * MongoDB replies slow, or hold them until released); {@link #redis} parses the Redis RESP2 protocol into whole
 * frames so that a test can drop exactly one pub/sub message ({@link #dropNextMessage}) without corrupting the
 * stream.
 *
 * <p>Concurrency: two daemon threads per connection. Failure modes: a connection whose either side fails is
 * closed on both sides; {@link #close()} closes the listener and every connection.
 */
public final class TcpProxy implements AutoCloseable {

    private final int targetPort;
    private final boolean resp;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicReference<Predicate<byte[]>> dropNext = new AtomicReference<>();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicLong delayNanos = new AtomicLong();
    private final AtomicLong requestDelayNanos = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong forwardedRequests = new AtomicLong();
    private final AtomicLong receivedReplies = new AtomicLong();
    private volatile long latencyNanos;
    private volatile boolean closed;
    private final Object replyGate = new Object();
    /** Guarded by {@link #replyGate}. */
    private boolean holdingReplies;

    private TcpProxy(int targetPort, boolean resp) {
        this.targetPort = targetPort;
        this.resp = resp;
        try {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's listening socket", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A byte-copying proxy to a loopback port. */
    public static TcpProxy raw(int targetPort) {
        return new TcpProxy(targetPort, false);
    }

    /** A proxy to a Redis server that understands RESP2 frames in the server-to-client direction. */
    public static TcpProxy redis(int targetPort) {
        return new TcpProxy(targetPort, true);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code redis://127.0.0.1:port} for a Redis proxy. */
    public String redisUri() {
        return "redis://127.0.0.1:" + port();
    }

    /**
     * Drops the next pub/sub message (an array frame starting with {@code message} or {@code smessage}) whose
     * payload satisfies {@code payloadFilter}. Only for {@link #redis} proxies.
     */
    public void dropNextMessage(Predicate<byte[]> payloadFilter) {
        if (!resp) {
            throw new IllegalStateException("dropNextMessage needs a RESP-aware proxy (TcpProxy.redis)");
        }
        dropNext.set(payloadFilter);
    }

    /** Whether the armed drop has not happened yet. */
    public boolean dropPending() {
        return dropNext.get() != null;
    }

    /** How many messages were dropped so far. */
    public int dropped() {
        return dropped.get();
    }

    /** How many client-to-server writes the proxy has forwarded so far (a request has reached the server). */
    public long forwardedRequests() {
        return forwardedRequests.get();
    }

    /**
     * How many server-to-client reads (raw) or frames (RESP) the proxy has taken from the server so far: a reply has
     * left the server, though it may still be held or delayed here.
     */
    public long receivedReplies() {
        return receivedReplies.get();
    }

    /** Connections open through the proxy now (as the server sees them). */
    public int activeConnections() {
        return active.get();
    }

    /** The most connections open at once since the proxy started or {@link #resetPeak()}. */
    public int peakConnections() {
        return peak.get();
    }

    public void resetPeak() {
        peak.set(active.get());
    }

    /**
     * Gives connections opened from now on a network latency: every write, in either direction, arrives this
     * long after it was made, pipelined like a real link (unlike {@link #delayReplies}, which holds each write back
     * in turn). For benchmarks that must show what a same-zone network adds; zero turns it off.
     *
     * @return this proxy
     */
    public TcpProxy latency(Duration oneWay) {
        if (oneWay == null || oneWay.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive but was " + oneWay);
        }
        latencyNanos = oneWay.toNanos();
        return this;
    }

    private OutputStream linked(OutputStream out, String name) {
        long latency = latencyNanos;
        return latency == 0 ? out : new DelayLine(out, latency, name + "-" + port());
    }

    /** Delays every server-to-client write by this much (zero: no delay). */
    public void delayReplies(Duration delay) {
        delayNanos.set(delay.toNanos());
    }

    /**
     * Holds every server-to-client write from now on until {@link #releaseReplies()}: a reply the server sent waits
     * in the proxy for as long as the test wants — a server that does not answer, for exactly as long as a test needs
     * it to, not for a delay that a slow machine may outlast. Writes already on their way are not held.
     */
    public void holdReplies() {
        synchronized (replyGate) {
            holdingReplies = true;
        }
    }

    /** Lets every held reply through, in order, and stops holding. */
    public void releaseReplies() {
        synchronized (replyGate) {
            holdingReplies = false;
            replyGate.notifyAll();
        }
    }

    /**
     * Delays every client-to-server write by this much (zero: no delay): requests reach the server late, as over a
     * congested or partitioned link.
     */
    public void delayRequests(Duration delay) {
        requestDelayNanos.set(delay.toNanos());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                peak.accumulateAndGet(active.incrementAndGet(), Math::max);
                java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
                Runnable ended = () -> {
                    if (counted.compareAndSet(true, false)) {
                        active.decrementAndGet();
                    }
                };
                OutputStream toServer = linked(server.getOutputStream(), "c2s");
                OutputStream toClient = linked(client.getOutputStream(), "s2c");
                start("c2s", () -> {
                    try {
                        copyCounting(client.getInputStream(), toServer);
                    } finally {
                        ended.run();
                    }
                }, client, server);
                start("s2c", () -> {
                    if (resp) {
                        frames(server.getInputStream(), toClient);
                    } else {
                        copyDelayed(server.getInputStream(), toClient);
                    }
                }, client, server);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private void start(String name, Pump pump, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException ignored) {
                // the connection ended
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "tcp-proxy-" + name + "-" + port());
        t.setDaemon(true);
        t.start();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    private void copyCounting(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sleep(requestDelayNanos.get());
            out.write(buffer, 0, n);
            out.flush();
            forwardedRequests.incrementAndGet();
        }
    }

    private void copyDelayed(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            receivedReplies.incrementAndGet();
            pause();
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    private void pause() {
        synchronized (replyGate) {
            while (holdingReplies && !closed) {
                try {
                    replyGate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        sleep(delayNanos.get());
    }

    private static void sleep(long delay) {
        if (delay > 0) {
            try {
                Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void frames(InputStream in, OutputStream out) throws IOException {
        InputStream buffered = new java.io.BufferedInputStream(in, 16384);
        while (true) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            List<byte[]> elements = new java.util.ArrayList<>();
            readFrame(buffered, frame, elements, true);
            Predicate<byte[]> filter = dropNext.get();
            if (filter != null && elements.size() >= 3) {
                String kind = new String(elements.get(0), StandardCharsets.UTF_8);
                byte[] payload = elements.get(elements.size() - 1);
                if ((kind.equals("message") || kind.equals("smessage")) && filter.test(payload)
                        && dropNext.compareAndSet(filter, null)) {
                    dropped.incrementAndGet();
                    continue;
                }
            }
            receivedReplies.incrementAndGet();
            pause();
            frame.writeTo(out);
            if (buffered.available() == 0) {
                out.flush();
            }
        }
    }

    /** Reads one RESP2 frame into {@code raw}; collects the bulk strings of a top-level array into elements. */
    private static void readFrame(InputStream in, ByteArrayOutputStream raw, List<byte[]> elements, boolean top)
            throws IOException {
        String line = readLine(in, raw);
        char type = line.charAt(0);
        switch (type) {
            case '+', '-', ':' -> { }
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length >= 0) {
                    byte[] data = in.readNBytes(length + 2);
                    if (data.length < length + 2) {
                        throw new EOFException();
                    }
                    raw.write(data);
                    if (!top) {
                        elements.add(java.util.Arrays.copyOf(data, length));
                    }
                }
            }
            case '*' -> {
                int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < count; i++) {
                    readFrame(in, raw, top ? elements : new java.util.ArrayList<>(), false);
                }
            }
            default -> throw new IOException("not RESP2: " + line);
        }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        int previous = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException();
            }
            raw.write(c);
            if (previous == '\r' && c == '\n') {
                line.setLength(line.length() - 1);
                return line.toString();
            }
            line.append((char) c);
            previous = c;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Closes every connection through the proxy (clients see a reset) but keeps listening. */
    public void dropConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (replyGate) {
            replyGate.notifyAll();
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        dropConnections();
    }
}

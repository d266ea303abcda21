package io.mongocache.benchmarks.cluster.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load balancer in front of the demo's nodes: HAProxy when {@code haproxy} is on the {@code PATH} (its
 * configuration written and the process started by the demo), else {@link RoundRobinProxy}, a small HTTP proxy in
 * this JVM. Both balance each request round robin and pass over a node that refuses connections or has not
 * answered for a second (HAProxy: health checks every 500 ms).
 */
interface Balancer extends AutoCloseable {
    /** {@code http://127.0.0.1:<port>}. */
    String baseUri();

    /** What it is, for the report. */
    String description();

    @Override
    void close();

    /** HAProxy if installed, else the built-in proxy, in front of {@code ports} on 127.0.0.1. */
    static Balancer start(List<Integer> ports, Path directory) {
        if (onPath("haproxy")) {
            return Haproxy.start(ports, directory);
        }
        return new RoundRobinProxy(ports);
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /** HAProxy in HTTP mode, round robin, with health checks on {@code /actuator/health/ping}. */
    final class Haproxy implements Balancer {
        private final Process process;
        private final int port;

        private Haproxy(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Haproxy start(List<Integer> ports, Path directory) {
            int port = freePort();
            StringBuilder config = new StringBuilder(String.join("\n",
                    "global", "  maxconn 4096",
                    "defaults", "  mode http", "  timeout connect 1s", "  timeout client 30s",
                    "  timeout server 30s", "  option http-keep-alive", "  retries 2", "  option redispatch",
                    "frontend demo", "  bind 127.0.0.1:" + port, "  default_backend nodes",
                    "backend nodes", "  balance roundrobin", "  option httpchk GET /actuator/health/ping", ""));
            for (int i = 0; i < ports.size(); i++) {
                config.append("  server n").append(i + 1).append(" 127.0.0.1:").append(ports.get(i))
                        .append(" check inter 500ms fall 2 rise 1\n");
            }
            try {
                Path file = directory.resolve("haproxy.cfg");
                Files.writeString(file, config.toString());
                Process process = new ProcessBuilder("haproxy", "-db", "-f", file.toString())
                        .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.log").toFile()).start();
                return new Haproxy(process, port);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start haproxy", e);
            }
        }

        @Override
        public String baseUri() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public String description() {
            return "HAProxy (haproxy on the PATH), HTTP mode, round robin, health checks every 500 ms";
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * A round-robin HTTP reverse proxy on the JDK's HTTP server and client: each request goes to the next node that
     * is neither refusing connections (then the next one is tried) nor stuck — a node with requests in flight and no
     * answer for a second, e.g. one frozen by SIGSTOP, gets no new ones until it answers again. A request that
     * fails after reaching a node is answered 502 (its outcome unknown, as through any proxy).
     *
     * <p>Concurrency: one thread per request in flight, from a cached pool.
     */
    final class RoundRobinProxy implements Balancer {
        private static final long STUCK_NANOS = 1_000_000_000L;

        private final List<Backend> backends = new ArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "demo-balancer");
            thread.setDaemon(true);
            return thread;
        });
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500)).executor(executor).build();

        /** A node, with what tells a stuck one: requests in flight and the time of its last answer. */
        private static final class Backend {
            final URI base;
            final AtomicInteger inFlight = new AtomicInteger();
            final AtomicLong lastAnswer = new AtomicLong(System.nanoTime());

            Backend(int port) {
                this.base = URI.create("http://127.0.0.1:" + port);
            }

            boolean stuck(long now) {
                return inFlight.get() > 0 && now - lastAnswer.get() > STUCK_NANOS;
            }
        }

        RoundRobinProxy(List<Integer> ports) {
            ports.forEach(port -> backends.add(new Backend(port)));
            // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
            // 40 ms per answer.
            System.setProperty("sun.net.httpserver.nodelay", "true");
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the balancer's port", e);
            }
            server.createContext("/", this::forward);
            server.setExecutor(executor);
            server.start();
        }

        private void forward(HttpExchange exchange) throws IOException {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String pathAndQuery = exchange.getRequestURI().toString();
            int start = Math.floorMod(next.getAndIncrement(), backends.size());
            long now = System.nanoTime();
            List<Backend> order = new ArrayList<>();
            for (int i = 0; i < backends.size(); i++) {
                Backend candidate = backends.get((start + i) % backends.size());
                if (!candidate.stuck(now)) {
                    order.add(candidate);
                }
            }
            if (order.isEmpty()) {
                order.add(backends.get(start));
            }
            for (Backend backend : order) {
                HttpRequest.Builder request = HttpRequest.newBuilder(backend.base.resolve(pathAndQuery))
                        .timeout(Duration.ofSeconds(30))
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                if (contentType != null) {
                    request.header("Content-Type", contentType);
                }
                backend.inFlight.incrementAndGet();
                try {
                    HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                    backend.lastAnswer.set(System.nanoTime());
                    response.headers().firstValue("Content-Type")
                            .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
                    reply(exchange, response.statusCode(), response.body());
                    return;
                } catch (ConnectException | HttpConnectTimeoutException refused) {
                    // Never reached the node: safe to try the next one, whatever the method.
                } catch (IOException failed) {
                    reply(exchange, 502, ("node failed: " + failed).getBytes(StandardCharsets.UTF_8));
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    reply(exchange, 503, new byte[0]);
                    return;
                } finally {
                    backend.inFlight.decrementAndGet();
                }
            }
            reply(exchange, 503, "no node accepted the connection".getBytes(StandardCharsets.UTF_8));
        }

        private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public String baseUri() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public String description() {
            return "built-in round-robin HTTP proxy (no haproxy on the PATH): JDK HTTP server and client in the demo's"
                    + " JVM; skips a node that refuses connections or has not answered for 1 s";
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}

package io.mongocache.benchmarks.cluster.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node of the demo cluster: the Spring Boot example ({@code java -jar mongocache-example-…-exec.jar}) on a port
 * of its own, which survives restarts, so the balancer's list never changes.
 *
 * <p>Lifetime: the JVM is started through a bash wrapper whose standard input is a pipe from the demo; when the
 * demo's JVM ends — even by SIGKILL — the pipe closes and the wrapper SIGKILLs the node, so no node outlives the
 * demo. Signals ({@link #kill}, {@link #pause}) go to the node's own pid, which the wrapper prints first.
 *
 * <p>Concurrency: lifecycle methods are synchronized; {@link #baseUri()} and {@link #name()} may be called from any
 * thread. Failure modes: a node that does not answer {@code /actuator/health} within the start timeout fails
 * {@link #awaitReady} with the tail of its log.
 */
final class ExampleNode implements AutoCloseable {
    private static final String WRAPPER = String.join("\n",
            "log=$1; shift",
            "\"$@\" >>\"$log\" 2>&1 </dev/null &",
            "pid=$!",
            "echo \"$pid\"",
            "trap 'kill -9 $pid 2>/dev/null; exit 0' TERM HUP INT",
            "read -r _",
            "kill -9 \"$pid\" 2>/dev/null",
            "wait \"$pid\" 2>/dev/null",
            "exit 0");

    private final String name;
    private final int port;
    private final Path jar;
    private final List<String> jvmOptions;
    private final Map<String, String> properties;
    private final Path logDirectory;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();

    private Process wrapper;
    private volatile long pid = -1;
    private volatile int incarnation;

    ExampleNode(String name, int port, Path jar, List<String> jvmOptions, Map<String, String> properties,
            Path logDirectory) {
        this.name = name;
        this.port = port;
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.properties = Map.copyOf(properties);
        this.logDirectory = logDirectory;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return pid;
    }

    /** 1 for the first start, then one more for each restart. */
    int incarnation() {
        return incarnation;
    }

    String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    Path logFile() {
        return logDirectory.resolve(name + "-" + incarnation + ".log");
    }

    /** Starts a new incarnation (the node id gets its number, so the lease never sees a dead holder come back). */
    synchronized void start() {
        incarnation++;
        List<String> command = new ArrayList<>(List.of("bash", "-c", WRAPPER, "node-wrapper",
                logFile().toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
                "--mongocache.coordinator.node-id=" + name + "." + incarnation, "--spring.main.banner-mode=off"));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            wrapper = new ProcessBuilder(command).redirectErrorStream(true).start();
            String first = new BufferedReader(new InputStreamReader(wrapper.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            pid = Long.parseLong(first.trim());
        } catch (IOException | NumberFormatException | NullPointerException e) {
            throw new IllegalStateException("cannot start node " + name + ": " + e, e);
        }
    }

    /** Waits until the node answers {@code /actuator/health/ping} (the application is up; the in-process MongoDB server fails Boot's own MongoDB check, which sends {@code hello}). */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("node " + name + " exited during start-up; its log " + logFile()
                        + ":\n" + tail());
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(baseUri()
                        + "/actuator/health/ping")).timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("node " + name + " did not answer /actuator/health within " + timeout
                + "; its log " + logFile() + ":\n" + tail());
    }

    /** SIGKILL, as a crash or the OOM killer would; returns once the process is gone. */
    synchronized void kill() {
        ProcessHandle.of(pid).ifPresent(handle -> {
            handle.destroyForcibly();
            handle.onExit().join();
        });
        endWrapper();
    }

    /** SIGSTOP: sockets stay open, nothing is answered — a long GC pause. */
    synchronized void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    synchronized void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    private void endWrapper() {
        if (wrapper != null) {
            try {
                wrapper.getOutputStream().close();
                wrapper.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                wrapper.destroyForcibly();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        // A paused node must be thawed to die of SIGTERM; SIGKILL needs no thaw, and the demo wants no grace.
        kill();
    }
}

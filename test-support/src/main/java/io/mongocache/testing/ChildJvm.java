package io.mongocache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A helper JVM started with this JVM's class path, which announces itself with one line ({@code READY <value>}) and
 * ends when its parent does (its standard input closes). For fixtures that must not share the caller's heap, GC or
 * threads: the in-process MongoDB server ({@link MongoServerProcess}) and the latency proxies
 * ({@link LatencyProxyProcess}).
 */
final class ChildJvm implements AutoCloseable {
    static final String READY = "READY ";

    private final Process process;
    private final String announcement;

    /** The child's process id (for harnesses that read its CPU time). */
    public long pid() {
        return process.pid();
    }

    private ChildJvm(Process process, String announcement) {
        this.process = process;
        this.announcement = announcement;
    }

    /** Starts {@code mainClass} with {@code maxHeap} and arguments; waits up to 60 s for its READY line. */
    static ChildJvm start(Class<?> mainClass, String maxHeap, String name, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + maxHeap, "-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " process", e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(READY) && !ready.isDone()) {
                        ready.complete(line.substring(READY.length()).trim());
                    } else {
                        System.err.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                ready.completeExceptionally(new IllegalStateException("the " + name + " process ended"));
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ChildJvm(process, ready.get(60, TimeUnit.SECONDS));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the " + name + " process did not start: " + e, e);
        }
    }

    /** What the child announced after READY. */
    String announcement() {
        return announcement;
    }

    /** For the child's main: announce, then block until the parent goes away (standard input closes). */
    static void announceAndWait(String value) throws IOException {
        System.out.println(READY + value);
        System.out.flush();
        while (System.in.read() >= 0) {
            // ignore input
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

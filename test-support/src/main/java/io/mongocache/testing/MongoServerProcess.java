package io.mongocache.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The in-process MongoDB server ({@code mongo-java-server}, in-memory, with oplog) in a JVM of its own, so that a
 * benchmark's client and the server do not share a heap, a garbage collector or JIT threads — as with a real
 * {@code mongod}. Started with this JVM's class path; {@link #close()} destroys the process.
 *
 * <p>Failure modes: a server that does not print its port within 60 s fails {@link #start} and is destroyed.
 */
public final class MongoServerProcess implements AutoCloseable {
    private static final String READY = "MONGO-READY ";

    private final Process process;
    private final int port;

    private MongoServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server process with the given maximum heap (e.g. {@code "2g"}). */
    public static MongoServerProcess start(String maxHeap) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the MongoDB server process", e);
        }
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        port.complete(Integer.parseInt(line.substring(READY.length()).trim()));
                    } else {
                        System.err.println("[mongo] " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                port.completeExceptionally(new IllegalStateException("the MongoDB server process ended"));
            }
        }, "mongo-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new MongoServerProcess(process, port.get(60, TimeUnit.SECONDS));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the MongoDB server process did not start: " + e, e);
        }
    }

    /** {@code mongodb://127.0.0.1:<port>}. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A new client for this server; the caller closes it. */
    public MongoClient newClient() {
        return MongoClients.create(connectionString());
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

    /** The child's main: start the server, print the port, run until killed or stdin closes. */
    public static final class Main {
        private Main() {}

        public static void main(String[] args) throws IOException {
            MongoServerHandle server = MongoServerHandle.start();
            System.out.println(READY + server.port());
            System.out.flush();
            // The parent's death closes our stdin: stop with it instead of lingering as an orphan.
            while (System.in.read() >= 0) {
                // ignore input
            }
            server.close();
            System.exit(0);
        }
    }
}

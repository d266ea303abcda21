package io.mongocache.coordination;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link CoordinatorNode} in its own JVM: started with this JVM's class path, killed with SIGKILL, paused with
 * SIGSTOP. Every line it prints is kept with the time it arrived.
 */
public final class NodeProcess implements AutoCloseable {
    /** A line the node printed, and when ({@link System#nanoTime()}). */
    public record Line(long nanos, String text) {}

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private int consumed;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(new Line(System.nanoTime(), line));
                    if (!line.startsWith("[")) {
                        System.out.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "node-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a node named {@code name} with these {@link CoordinatorNode} arguments, and waits for READY. */
    public static NodeProcess start(String name, Map<String, String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), CoordinatorNode.class.getName(), "node=" + name));
        args.forEach((k, v) -> command.add(k + "=" + v));
        NodeProcess node = new NodeProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
        node.await(l -> l.startsWith("READY"), Duration.ofSeconds(30));
        return node;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends one command line. */
    public synchronized void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** Sends a command and returns the first later line matching {@code reply}. */
    public Line ask(String command, Predicate<String> reply, Duration timeout) throws IOException,
            InterruptedException {
        int from = lines.size();
        send(command);
        return awaitFrom(from, reply, timeout);
    }

    /** The first line (from the start) matching {@code predicate}, waiting for it. */
    public Line await(Predicate<String> predicate, Duration timeout) throws InterruptedException {
        return awaitFrom(0, predicate, timeout);
    }

    /** The first line at or after index {@code from} matching {@code predicate}, waiting for it. */
    public Line awaitFrom(int from, Predicate<String> predicate, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = from; i < lines.size(); i++) {
                if (predicate.test(lines.get(i).text())) {
                    return lines.get(i);
                }
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("node " + name + ": no line matching in " + timeout + "; output:\n"
                        + String.join("\n", lines.stream().map(Line::text).toList()));
            }
            Thread.sleep(5);
        }
    }

    /** Lines so far. */
    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The index the next line will get. */
    public int mark() {
        return lines.size();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and wait for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGSTOP: the JVM freezes, its connections stay open. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
                .waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " exited " + exit);
        }
    }

    /** Asks the node to quit (resuming it first if paused); kills it if it has not ended within 5 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                resume();
                send("quit");
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (IOException e) {
                process.destroyForcibly(); // gone already, or its pipe is
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}

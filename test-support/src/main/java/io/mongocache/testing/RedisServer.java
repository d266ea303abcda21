package io.mongocache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} process on a free loopback port ({@code 127.0.0.1}), owned by one
 * test or test class.
 *
 * <p>Why a real process: the cache must survive Redis being stopped, killed, frozen and restarted
 * empty, and only a real server behaves exactly like production under those events. Each server
 * runs without persistence ({@code --save "" --appendonly no}) in its own temporary directory, which
 * also holds its log file.
 *
 * <p>Lifetime: a server never outlives the JVM that started it, even when that JVM is killed with
 * SIGKILL. It is launched through a small bash wrapper whose stdin is a pipe from this JVM; when the
 * JVM dies the kernel closes the pipe, the wrapper's {@code read} returns, and the wrapper SIGKILLs
 * redis. The wrapper does the same when it receives SIGTERM, SIGHUP or SIGINT. On an orderly JVM
 * exit a shutdown hook also kills every server that was not closed and deletes its directory.
 *
 * <p>Concurrency: lifecycle methods ({@code stop}, {@code kill}, {@code pause}, {@code resume},
 * {@code restart}, {@code close}) are synchronized on the instance; {@link #port()}, {@link #uri()},
 * {@link #pid()} and {@link #isRunning()} may be called from any thread. The shutdown hook reads the
 * current process through a volatile field without taking the lock, so a thread stuck inside a
 * lifecycle method cannot hold up JVM exit. Failure modes: a start that does not answer within 15
 * seconds, or whose process exits, fails with an {@link
 * IllegalStateException} carrying the tail of the server log. A port taken by someone else between
 * our probe and redis' bind is retried with a new port by {@link #start()}, but {@link #restart()}
 * insists on the same port and fails instead.
 *
 * <p>Why one class of this size: the process wrapper, the port retry and the lifecycle faults (stop, kill, pause,
 * restart on the same port) all act on the same process handle and directory, under the same lock.
 */
public final class RedisServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 30;
    private static final String LOG_FILE_NAME = "redis.log";
    private static final String CLUSTER_CONFIG_FILE_NAME = "nodes.conf";

    /**
     * Runs redis in the background and kills it when stdin reaches EOF or a signal arrives. The
     * first stdout line is the redis pid: bash execs a backgrounded simple command in the forked
     * child, so {@code $!} is redis itself and signals sent to it reach redis, not a shell.
     * {@code wait} reaps redis before the wrapper exits, which matters where PID 1 reaps nobody.
     * Arguments: {@code $1} the log file, the rest the redis-server command line.
     */
    private static final String WRAPPER_SCRIPT = String.join("\n",
            "log=$1; shift; pid=",
            "trap '[ -n \"$pid\" ] && kill -9 \"$pid\" 2>/dev/null; wait 2>/dev/null; exit 0' TERM HUP INT",
            "\"$@\" >>\"$log\" 2>&1 </dev/null &",
            "pid=$!",
            "echo \"$pid\"",
            "read -r _",
            "kill -9 \"$pid\" 2>/dev/null",
            "wait \"$pid\" 2>/dev/null",
            "exit 0");

    /** Servers not yet closed; the shutdown hook kills them and deletes their directories. */
    private static final Set<RedisServer> UNCLOSED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> UNCLOSED.forEach(RedisServer::killOnJvmExit), "mongocache-redis-reaper"));
    }

    /** One launch of the process: the wrapper and the redis pid it reported. */
    private record Incarnation(Process wrapper, long pid) {}

    /** The port (or cluster bus port) was taken by another process before redis could bind it. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    private final int port;
    private final int clusterBusPort;
    private final boolean clusterNode;
    private final Path directory;
    private final Path logFile;
    private final List<String> extraConfigArgs;

    private volatile Incarnation current;
    private volatile long lastPid = -1;
    private volatile boolean closed;

    private RedisServer(int port, int clusterBusPort, Path directory, List<String> extraConfigArgs) {
        this.port = port;
        this.clusterBusPort = clusterBusPort;
        this.clusterNode = clusterBusPort != 0;
        this.directory = directory;
        this.logFile = directory.resolve(LOG_FILE_NAME);
        this.extraConfigArgs = List.copyOf(extraConfigArgs);
        UNCLOSED.add(this);
    }

    /**
     * Starts a standalone server on a free loopback port and waits until it answers.
     *
     * @throws IllegalStateException if it does not start; the message holds the log tail
     */
    public static RedisServer start() {
        return launch(List.of(), false);
    }

    /**
     * Starts a standalone server with additional configuration, e.g. {@code start("--maxmemory",
     * "10mb")}. The arguments are appended to the command line, so they override the defaults.
     *
     * @throws IllegalStateException if it does not start; the message holds the log tail
     */
    public static RedisServer start(String... extraConfigArgs) {
        return launch(Arrays.asList(extraConfigArgs), false);
    }

    /**
     * Starts a cluster-enabled node; {@code clusterConfigArgs} must enable cluster mode. The node
     * gets its own cluster bus port ({@code --cluster-port}) rather than port + 10000, which could
     * exceed 65535 or collide. Its {@link #restart()} keeps {@code nodes.conf} so it rejoins.
     */
    static RedisServer startClusterNode(List<String> clusterConfigArgs) {
        return launch(clusterConfigArgs, true);
    }

    private static RedisServer launch(List<String> extraConfigArgs, boolean clusterNode) {
        PortTakenException lastClash = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = FreePorts.pick();
            int busPort = clusterNode ? FreePorts.pickOtherThan(port) : 0;
            RedisServer server = new RedisServer(port, busPort, createDirectory(), extraConfigArgs);
            try {
                server.startProcess();
                return server;
            } catch (PortTakenException clash) {
                lastClash = clash;
                server.close();
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
        }
        throw new IllegalStateException(
                "redis-server lost the race for a free port " + PORT_ATTEMPTS + " times", lastClash);
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("mongocache-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for redis-server", e);
        }
    }

    /** The TCP port on 127.0.0.1; it stays the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, usable by Lettuce's {@code RedisURI.create}. */
    /** How many times this server has run {@code command} (lower case, as {@code INFO commandstats} names it). */
    public long commandCalls(String command) {
        io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(uri());
        try (var connection = admin.connect()) {
            String prefix = "cmdstat_" + command + ":calls=";
            for (String line : connection.sync().info("commandstats").split("\r?\n")) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length(), line.indexOf(',', prefix.length())));
                }
            }
            return 0;
        } finally {
            admin.shutdown();
        }
    }

    public String uri() {
        return "redis://" + LOOPBACK + ":" + port;
    }

    /**
     * The pid of the most recently started redis-server process, which may have exited since.
     * Signals sent to it reach redis itself, not the wrapper shell.
     */
    public long pid() {
        return lastPid;
    }

    /** The server's log file; {@link #restart()} appends to it. Deleted by {@link #close()}. */
    public Path logFile() {
        return logFile;
    }

    /** True while the process exists, including while it is paused. */
    public boolean isRunning() {
        Incarnation incarnation = current;
        return incarnation != null && isAlive(incarnation.pid());
    }

    /**
     * Shuts the server down gracefully (SIGTERM; no data is saved since persistence is off) and
     * waits for it to exit, falling back to SIGKILL after {@code 5 s}. Resumes a paused server
     * first so it can act on the signal. Does nothing if it is not running.
     */
    public synchronized void stop() {
        Incarnation incarnation = current;
        if (incarnation == null) {
            return;
        }
        if (isAlive(incarnation.pid())) {
            ProcessHandle.of(incarnation.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM
            signalUnlessGone(incarnation.pid(), "CONT"); // a paused server acts on SIGTERM only once thawed
            if (!awaitExit(incarnation.pid(), STOP_TIMEOUT)) {
                forceKill(incarnation.pid());
            }
        }
        retire(incarnation);
    }

    /** Kills the server with SIGKILL, as a crash or OOM kill would, and waits until it is gone. */
    public synchronized void kill() {
        Incarnation incarnation = current;
        if (incarnation == null) {
            return;
        }
        forceKill(incarnation.pid());
        retire(incarnation);
    }

    /**
     * Freezes the server with SIGSTOP: connections stay open but nothing is answered, like a long
     * GC pause or a network partition. Returns once the kernel reports the process stopped.
     */
    public synchronized void pause() {
        Incarnation incarnation = requireRunning();
        signal(incarnation.pid(), "STOP");
        awaitStoppedState(incarnation.pid(), true);
    }

    /** Thaws a server frozen by {@link #pause()} (SIGCONT); buffered commands are then answered. */
    public synchronized void resume() {
        Incarnation incarnation = requireRunning();
        signal(incarnation.pid(), "CONT");
        awaitStoppedState(incarnation.pid(), false);
    }

    /**
     * Starts the server again on the same port, stopping it first if it still runs; works after
     * {@link #kill()} and {@link #stop()}. A standalone server comes back empty. A cluster node
     * keeps its {@code nodes.conf}, so it rejoins its cluster with its old identity and slots, but
     * without data.
     *
     * @throws IllegalStateException if the port was taken meanwhile or the server does not start
     */
    public synchronized void restart() {
        requireOpen();
        stop();
        deleteDataFiles();
        startProcess();
    }

    /**
     * Kills the server (SIGKILL) and deletes its directory. Idempotent. The server cannot be used
     * afterwards.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            kill();
        } finally {
            deleteRecursively(directory);
            UNCLOSED.remove(this);
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", pid " + lastPid + (clusterNode ? ", cluster node" : "") + "]";
    }

    /** The wrapper process, so tests can prove that its death takes redis with it. */
    Process wrapperProcess() {
        return requireRunning().wrapper();
    }

    /** The last lines of the log, for diagnosing failures. */
    String logTail() {
        return tail(readLog(0), LOG_TAIL_LINES);
    }

    private synchronized void startProcess() {
        requireOpen();
        long logOffset = logSize();
        Incarnation incarnation;
        try {
            incarnation = spawn();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch redis-server through bash", e);
        }
        current = incarnation;
        lastPid = incarnation.pid();
        try {
            awaitServing(incarnation, logOffset);
        } catch (RuntimeException | Error e) {
            forceKill(incarnation.pid());
            retire(incarnation);
            throw e;
        }
    }

    private Incarnation spawn() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "bash", "-c", WRAPPER_SCRIPT, "mongocache-redis-wrapper", logFile.toString(),
                redisServerExecutable()));
        command.addAll(configArgs());
        Process wrapper = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectInput(Redirect.PIPE)
                .redirectOutput(Redirect.PIPE)
                .redirectError(Redirect.appendTo(logFile.toFile()))
                .start();
        String firstLine = new BufferedReader(
                new InputStreamReader(wrapper.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (firstLine == null || !firstLine.trim().matches("\\d+")) {
            wrapper.destroyForcibly();
            throw new IllegalStateException("redis wrapper did not report a pid (got " + firstLine
                    + "); log tail:\n" + logTail());
        }
        return new Incarnation(wrapper, Long.parseLong(firstLine.trim()));
    }

    private List<String> configArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--port", Integer.toString(port),
                "--bind", LOOPBACK,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", directory.toString()));
        if (clusterNode) {
            args.addAll(List.of("--cluster-port", Integer.toString(clusterBusPort)));
        }
        args.addAll(extraConfigArgs);
        return args;
    }

    /**
     * Waits until the server answers {@code INFO server} with our pid. Checking the pid, not just
     * PING, matters: if another server owns the port, it would answer PING while ours fails to bind.
     */
    private void awaitServing(Incarnation incarnation, long logOffset) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!isAlive(incarnation.pid())) {
                String log = readLog(logOffset);
                String message = "redis-server on port " + port + " exited during start; log tail:\n"
                        + tail(log, LOG_TAIL_LINES);
                throw log.contains("Address already in use")
                        ? new PortTakenException(message)
                        : new IllegalStateException(message);
            }
            try {
                String info = RespProbe.call(port, PROBE_TIMEOUT, "INFO", "server");
                if (Long.toString(incarnation.pid()).equals(RespProbe.infoField(info, "process_id"))) {
                    return;
                }
                throw new PortTakenException("port " + port + " is served by another process (pid "
                        + RespProbe.infoField(info, "process_id") + ")");
            } catch (IOException notServingYet) {
                // Not listening yet or still loading; poll again below.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer within "
                        + START_TIMEOUT.toSeconds() + " s; log tail:\n" + tail(readLog(logOffset), LOG_TAIL_LINES));
            }
            sleepMillis(10);
        }
    }

    /** Lets the wrapper exit (closing its stdin makes it SIGKILL and reap redis) and forgets it. */
    private void retire(Incarnation incarnation) {
        current = null;
        try {
            incarnation.wrapper().getOutputStream().close();
        } catch (IOException alreadyClosed) {
            // The wrapper is gone already; nothing to tell it.
        }
        try {
            if (!incarnation.wrapper().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                incarnation.wrapper().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            incarnation.wrapper().destroyForcibly();
        }
    }

    private void deleteDataFiles() {
        // A cluster node must keep nodes.conf to rejoin; everything else is data or temp files,
        // though with persistence off there should be none.
        try (Stream<Path> entries = Files.list(directory)) {
            entries.filter(entry -> !entry.equals(logFile))
                    .filter(entry -> !(clusterNode && entry.getFileName().toString().equals(CLUSTER_CONFIG_FILE_NAME)))
                    .forEach(RedisServer::deleteRecursively);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + directory, e);
        }
    }

    private Incarnation requireRunning() {
        requireOpen();
        Incarnation incarnation = current;
        if (incarnation == null || !isAlive(incarnation.pid())) {
            throw new IllegalStateException(this + " is not running");
        }
        return incarnation;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** Runs without the lock: called by the shutdown hook while other threads may hold it. */
    private void killOnJvmExit() {
        Incarnation incarnation = current;
        if (incarnation != null) {
            ProcessHandle.of(incarnation.pid()).ifPresent(ProcessHandle::destroyForcibly);
            incarnation.wrapper().destroyForcibly();
        }
        deleteRecursively(directory);
    }

    private static String redisServerExecutable() {
        return System.getProperty("mongocache.redis-server", "redis-server");
    }

    // ---- processes -------------------------------------------------------------------------

    private static void forceKill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (!awaitExit(pid, STOP_TIMEOUT)) {
            throw new IllegalStateException("redis-server pid " + pid + " survived SIGKILL for " + STOP_TIMEOUT);
        }
    }

    /** Sends a signal with the kill command: ProcessHandle can terminate but not STOP or CONT. */
    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
        }
    }

    private static void signalUnlessGone(long pid, String signal) {
        try {
            signal(pid, signal);
        } catch (IllegalStateException e) {
            if (isAlive(pid)) {
                throw e;
            }
        }
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleepMillis(5);
        }
        return true;
    }

    /** Alive and not a zombie: an unreaped process counts as alive for ProcessHandle. */
    static boolean isAlive(long pid) {
        boolean exists = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return exists && processState(pid) != 'Z';
    }

    /**
     * The state letter from {@code /proc/<pid>/stat} ({@code R}, {@code S}, {@code T}, {@code Z}
     * ...), or {@code '?'} when unknown (process gone, or no procfs).
     */
    private static char processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name is parenthesised and may contain spaces; the state follows ") ".
            int end = stat.lastIndexOf(')');
            return end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
        } catch (IOException | RuntimeException unknown) {
            return '?';
        }
    }

    /** Waits briefly until the kernel shows the process (not) stopped; signals arrive asynchronously. */
    private static void awaitStoppedState(long pid, boolean stopped) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            char state = processState(pid);
            if (state == '?' || (state == 'T') == stopped) {
                return;
            }
            sleepMillis(2);
        }
        throw new IllegalStateException("pid " + pid + (stopped ? " did not stop" : " did not continue"));
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    // ---- files -----------------------------------------------------------------------------

    private long logSize() {
        try {
            return Files.size(logFile);
        } catch (IOException noLogYet) {
            return 0;
        }
    }

    private String readLog(long offset) {
        try {
            byte[] bytes = Files.readAllBytes(logFile);
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    private static void deleteRecursively(Path path) {
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(entry -> {
                try {
                    Files.deleteIfExists(entry);
                } catch (IOException ignored) {
                    // Best effort: a leftover temp file must not fail a test.
                }
            });
        } catch (NoSuchFileException gone) {
            // Nothing to delete.
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort, as above.
        }
    }
}

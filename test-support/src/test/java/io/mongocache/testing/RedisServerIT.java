package io.mongocache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisServerIT {

    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

    private static RedisClient lettuce;

    @BeforeAll
    static void createClient() {
        lettuce = RedisClient.create();
    }

    @AfterAll
    static void shutdownClient() {
        lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static StatefulRedisConnection<String, String> connect(RedisServer server) {
        StatefulRedisConnection<String, String> connection = lettuce.connect(RedisURI.create(server.uri()));
        connection.setTimeout(SHORT_TIMEOUT);
        return connection;
    }

    @Test
    void startsOnLoopbackAndAnswersPing() {
        try (RedisServer server = RedisServer.start();
                StatefulRedisConnection<String, String> connection = connect(server)) {
            assertEquals("PONG", connection.sync().ping());
            assertEquals("redis://127.0.0.1:" + server.port(), server.uri());
            assertTrue(server.isRunning());
            assertEquals(Long.toString(server.pid()), field(connection.sync().info("server"), "process_id"));
            assertEquals("", connection.sync().configGet("save").get("save"));
            assertEquals("no", connection.sync().configGet("appendonly").get("appendonly"));
        }
    }

    @Test
    void extraConfigArgsReachTheServer() {
        try (RedisServer server = RedisServer.start("--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lru");
                StatefulRedisConnection<String, String> connection = connect(server)) {
            assertEquals(Long.toString(10 * 1024 * 1024), connection.sync().configGet("maxmemory").get("maxmemory"));
            assertEquals("allkeys-lru", connection.sync().configGet("maxmemory-policy").get("maxmemory-policy"));
        }
    }

    @Test
    void pausedServerTimesCommandsOutAndAnswersAgainWhenResumed() {
        try (RedisServer server = RedisServer.start();
                StatefulRedisConnection<String, String> connection = connect(server)) {
            RedisCommands<String, String> redis = connection.sync();
            redis.set("k", "v");

            server.pause();
            assertTrue(server.isRunning(), "a paused server still exists");
            assertThrows(RedisCommandTimeoutException.class, redis::ping);

            server.resume();
            assertEquals("v", redis.get("k"));
            assertEquals("PONG", redis.ping());
        }
    }

    @Test
    void killedServerRefusesConnectionsAndRestartsEmptyOnTheSamePort() {
        try (RedisServer server = RedisServer.start()) {
            int port = server.port();
            long firstPid = server.pid();
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                connection.sync().set("k", "v");
                server.kill();
                assertFalse(server.isRunning());
                assertFalse(RedisServer.isAlive(firstPid));
                assertThrows(RedisException.class, () -> connection.sync().get("k"));
            }
            assertThrows(RedisConnectionException.class, () -> connect(server));

            server.restart();
            assertTrue(server.isRunning());
            assertEquals(port, server.port());
            assertNotEquals(firstPid, server.pid());
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                assertNull(connection.sync().get("k"));
                assertEquals(0L, connection.sync().dbsize());
                assertEquals("OK", connection.sync().set("k", "again"));
            }
        }
    }

    @Test
    void stoppedServerRestartsEmpty() {
        try (RedisServer server = RedisServer.start()) {
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                connection.sync().set("k", "v");
            }
            long firstPid = server.pid();
            server.stop();
            assertFalse(server.isRunning());
            assertFalse(RedisServer.isAlive(firstPid));

            server.restart();
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                assertEquals(0L, connection.sync().dbsize());
            }
        }
    }

    @Test
    void stopEndsAPausedServerToo() {
        try (RedisServer server = RedisServer.start()) {
            server.pause();
            server.stop();
            assertFalse(server.isRunning());
        }
    }

    @Test
    void killEndsAPausedServerToo() {
        try (RedisServer server = RedisServer.start()) {
            server.pause();
            server.kill();
            assertFalse(server.isRunning());
            server.restart();
            assertTrue(server.isRunning());
        }
    }

    @Test
    void serverShutDownByAClientCanBeRestarted() throws InterruptedException {
        try (RedisServer server = RedisServer.start()) {
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                connection.sync().shutdown(false);
            }
            long pid = server.pid();
            assertGoneWithin(pid, Duration.ofSeconds(5));
            // The same pid, asked again through procfs while the kernel finishes the exit: await, do not sample.
            Await.until(() -> !server.isRunning(), Duration.ofSeconds(5), "the server to report itself stopped");
            server.restart();
            try (StatefulRedisConnection<String, String> connection = connect(server)) {
                assertEquals("PONG", connection.sync().ping());
            }
        }
    }

    @Test
    void parallelStartsGetDistinctPorts() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        List<RedisServer> servers = new ArrayList<>();
        try {
            List<Future<RedisServer>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(executor.submit(() -> RedisServer.start()));
            }
            for (Future<RedisServer> start : starts) {
                servers.add(start.get(30, TimeUnit.SECONDS));
            }
            assertEquals(4, servers.stream().map(RedisServer::port).distinct().count());
            for (RedisServer server : servers) {
                try (StatefulRedisConnection<String, String> connection = connect(server)) {
                    assertEquals(Long.toString(server.pid()), field(connection.sync().info("server"), "process_id"));
                }
            }
        } finally {
            executor.shutdownNow();
            servers.forEach(RedisServer::close);
        }
    }

    @Test
    void sharedServerIsStartedOnceUnlessRedisUrlIsSet() {
        String uri = TestRedis.uri();
        assertEquals(uri, TestRedis.uri());
        if (System.getenv("REDIS_URL") == null) {
            assertFalse(TestRedis.isExternal());
            assertTrue(uri.startsWith("redis://127.0.0.1:"), uri);
        }
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(RedisURI.create(uri))) {
            assertEquals("PONG", connection.sync().ping());
        }
    }

    @Test
    void failedStartReportsTheServerLog() {
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> RedisServer.start("--no-such-directive", "1"));
        assertTrue(failure.getMessage().contains("no-such-directive"), failure.getMessage());
    }

    @Test
    void restartFailsClearlyWhenSomeoneTookThePort() throws IOException {
        try (RedisServer server = RedisServer.start()) {
            server.kill();
            try (ServerSocket squatter = new ServerSocket(server.port(), 1, InetAddress.getLoopbackAddress())) {
                IllegalStateException failure = assertThrows(IllegalStateException.class, server::restart);
                assertTrue(failure.getMessage().contains("Address already in use"), failure.getMessage());
                assertFalse(server.isRunning());
            }
            server.restart();
            assertTrue(server.isRunning());
        }
    }

    @Test
    void closeKillsTheServerAndDeletesItsDirectory() {
        RedisServer server = RedisServer.start();
        long pid = server.pid();
        Path directory = server.logFile().getParent();
        server.close();
        server.close(); // idempotent
        assertFalse(RedisServer.isAlive(pid));
        assertFalse(Files.exists(directory));
        assertThrows(IllegalStateException.class, server::restart);
    }

    @Test
    void wrapperKillsRedisWhenItsStdinCloses() throws IOException, InterruptedException {
        try (RedisServer server = RedisServer.start()) {
            long pid = server.pid();
            // What the kernel does to the pipe when the JVM dies.
            server.wrapperProcess().getOutputStream().close();
            assertGoneWithin(pid, Duration.ofSeconds(5));
            // The same pid, asked again through procfs while the kernel finishes the exit: await, do not sample.
            Await.until(() -> !server.isRunning(), Duration.ofSeconds(5), "the server to report itself stopped");
        }
    }

    @Test
    void wrapperKillsRedisWhenItIsTerminated() {
        try (RedisServer server = RedisServer.start()) {
            long pid = server.pid();
            server.wrapperProcess().destroy(); // SIGTERM to the wrapper shell
            assertGoneWithin(pid, Duration.ofSeconds(5));
        }
    }

    @Test
    void redisDiesWithAJvmKilledBySigkill() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                        "-cp", System.getProperty("java.class.path"), RedisServerInChildJvm.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            String report = readLineWithin(child, Duration.ofSeconds(30));
            Matcher matcher = Pattern.compile("pid=(\\d+) port=(\\d+) dir=(.+)").matcher(report);
            assertTrue(matcher.matches(), "child reported: " + report);
            long redisPid = Long.parseLong(matcher.group(1));
            assertTrue(RedisServer.isAlive(redisPid));

            child.destroyForcibly(); // SIGKILL: no shutdown hooks run in the child
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertGoneWithin(redisPid, Duration.ofSeconds(5));
            deleteRecursively(Path.of(matcher.group(3))); // the killed child could not clean up
        } finally {
            child.destroyForcibly();
        }
    }

    private static String readLineWithin(Process process, Duration timeout) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        // The child's only stdout line starts with pid=; anything else (JVM warnings) is kept for the message.
        while (System.nanoTime() < deadline) {
            String line = reader.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("pid=")) {
                return line;
            }
            output.append(line).append('\n');
        }
        throw new AssertionError("child JVM did not report its redis-server:\n" + output);
    }

    private static void assertGoneWithin(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (RedisServer.isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("redis-server pid " + pid + " still alive after " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String field(String info, String name) {
        return RespProbe.infoField(info, name);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

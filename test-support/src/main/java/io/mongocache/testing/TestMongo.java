package io.mongocache.testing;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongocache.common.Masking;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The MongoDB server used by integration tests, chosen once per JVM, in this order:
 *
 * <ol>
 *   <li>{@link Backend#URI}: the server named by the {@code MONGODB_URI} environment variable;
 *   <li>{@link Backend#TESTCONTAINERS}: a {@code mongo:7.0} single-node replica set in Docker, when
 *       a Docker daemon answers;
 *   <li>{@link Backend#IN_PROCESS}: {@code mongo-java-server} with its in-memory backend and oplog,
 *       inside this JVM.
 * </ol>
 *
 * <p>Why a cascade: tests should run everywhere (a laptop without Docker, CI with Docker, a
 * pipeline with a managed MongoDB), but against the most realistic server available. The choice
 * is printed once to stderr so a test report says what it ran against. Tests that need features
 * the in-process server lacks must check {@link #supportsSessions()} or {@link
 * #supportsTransactions()} and skip (e.g. with {@code Assumptions.assumeTrue}).
 *
 * <p>Tests share one server, so each should work in its own database: {@link
 * #uniqueDatabaseName(String)}. The shared server lives until the JVM exits; test runners end
 * with {@code System.exit}, but a plain {@code main} using the in-process backend must too, since
 * that server's threads are not daemon threads.
 *
 * <p>Concurrency: the choice, the shared client and the capability probe are made under the class
 * lock, so parallel tests agree on them. Failure modes: an unreachable {@code MONGODB_URI} fails
 * at first use of the client rather than falling back, because a developer who sets it wants that
 * server; a Docker daemon that answers but cannot start the container (e.g. no image and no
 * network) falls back to the in-process server with a warning.
 */
public final class TestMongo {

    /** Where the tests' MongoDB comes from. */
    public enum Backend {
        /** The server named by the {@code MONGODB_URI} environment variable. */
        URI,
        /** A {@code mongo:7.0} single-node replica set started by Testcontainers. */
        TESTCONTAINERS,
        /** {@code mongo-java-server} in this JVM, with its oplog (change streams) enabled. */
        IN_PROCESS
    }

    private static final String MONGODB_URI_ENV = "MONGODB_URI";
    private static final String MONGO_IMAGE = "mongo:7.0";
    /** MongoDB rejects database names of 64 bytes or more. */
    private static final int MAX_PREFIX_LENGTH = 40;
    private static final AtomicLong DATABASE_COUNTER = new AtomicLong();

    /** What was chosen; {@code resource} is the container or in-process server, kept for the JVM. */
    private record Choice(Backend backend, String connectionString, String description, Object resource) {}

    private record Capabilities(boolean sessions, boolean transactions) {}

    private static Choice choice;
    private static MongoClient sharedClient;
    private static Capabilities capabilities;

    private TestMongo() {}

    /** The connection string of the chosen server; choosing it (and starting it) on first call. */
    public static String connectionString() {
        return choice().connectionString();
    }

    /** The port of the first host of {@link #connectionString()}, for putting a {@link TcpProxy} in front of it. */
    public static int port() {
        String host = new com.mongodb.ConnectionString(connectionString()).getHosts().get(0);
        return host.contains(":") ? Integer.parseInt(host.substring(host.lastIndexOf(':') + 1)) : 27017;
    }

    /** Which kind of server was chosen. */
    public static Backend backend() {
        return choice().backend();
    }

    /** True unless the server is the in-process imitation. */
    public static boolean realMongo() {
        return backend() != Backend.IN_PROCESS;
    }

    /** A client shared by all tests in the JVM. Do not close it. */
    public static synchronized MongoClient client() {
        if (sharedClient == null) {
            sharedClient = MongoClients.create(connectionString());
        }
        return sharedClient;
    }

    /** A new client of its own, e.g. to close it mid-test or to change settings; the caller closes it. */
    public static MongoClient newClient() {
        return MongoClients.create(connectionString());
    }

    /** Whether client sessions work (false for the in-process server). */
    public static boolean supportsSessions() {
        return capabilities().sessions();
    }

    /** Whether multi-document transactions work: a replica set or sharded cluster, not in-process. */
    public static boolean supportsTransactions() {
        return capabilities().transactions();
    }

    /**
     * A database name no other test in any JVM is using: {@code prefix} (characters MongoDB forbids
     * replaced by {@code _}, shortened if long), a counter and a random part.
     */
    public static String uniqueDatabaseName(String prefix) {
        String safePrefix = prefix.replaceAll("[^A-Za-z0-9_-]", "_");
        if (safePrefix.length() > MAX_PREFIX_LENGTH) {
            safePrefix = safePrefix.substring(0, MAX_PREFIX_LENGTH);
        }
        String random = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        return safePrefix + "_" + DATABASE_COUNTER.incrementAndGet() + "_"
                + random.substring(0, Math.min(8, random.length()));
    }

    /**
     * Starts a separate, empty in-process server (with oplog) on a free loopback port, independent
     * of the shared backend; for tests or demos that need a server of their own. The caller closes
     * it.
     */
    public static MongoServerHandle startInProcess() {
        return MongoServerHandle.start();
    }

    /**
     * Starts a separate, empty in-process server without an oplog: like a standalone {@code mongod}, it cannot
     * open change streams (it answers {@code $changeStream} with {@code {ok: 0, errmsg: "Unknown error: null"}}, no
     * code). The caller closes it.
     */
    public static MongoServerHandle startInProcessWithoutOplog() {
        return MongoServerHandle.start(false);
    }

    /**
     * Starts a separate, empty in-process server (with oplog) that reports MongoDB 4.0 (wire version 7), to test
     * what needs a newer server. The caller closes it.
     */
    public static MongoServerHandle startInProcessReportingMongo40() {
        return MongoServerHandle.start(true, de.bwaldvogel.mongo.ServerVersion.MONGO_4_0);
    }

    private static synchronized Choice choice() {
        if (choice == null) {
            choice = choose();
            System.err.println(announcement());
        }
        return choice;
    }

    /** The line printed when the backend is chosen; chooses it if need be. */
    static synchronized String announcement() {
        Choice chosen = choice();
        return "mongocache tests: MongoDB backend = " + chosen.backend() + " (" + chosen.description() + ")";
    }

    private static Choice choose() {
        String uri = System.getenv(MONGODB_URI_ENV);
        if (uri != null && !uri.isBlank()) {
            String trimmed = uri.trim();
            return new Choice(Backend.URI, trimmed, Masking.connectionString(trimmed), null);
        }
        if (dockerDaemonAnswers()) {
            MongoDBContainer container = new MongoDBContainer(MONGO_IMAGE).withReplicaSet();
            try {
                container.start();
                return new Choice(Backend.TESTCONTAINERS, container.getConnectionString(),
                        MONGO_IMAGE + " single-node replica set at " + container.getConnectionString(), container);
            } catch (RuntimeException e) {
                System.err.println("mongocache tests: Docker answers but the " + MONGO_IMAGE
                        + " container did not start (" + e + "); falling back to the in-process server");
                stopQuietly(container);
            }
        }
        MongoServerHandle server = MongoServerHandle.start();
        return new Choice(Backend.IN_PROCESS, server.connectionString(), MongoServerHandle.description(), server);
    }

    /**
     * Asks Testcontainers whether a daemon actually answers: a docker CLI on the PATH proves
     * nothing. Any failure, including a linkage problem inside Testcontainers, means no.
     */
    private static boolean dockerDaemonAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    private static void stopQuietly(MongoDBContainer container) {
        try {
            container.stop();
        } catch (RuntimeException ignored) {
            // It never started; Testcontainers' reaper removes any leftovers.
        }
    }

    private static synchronized Capabilities capabilities() {
        if (capabilities == null) {
            capabilities = switch (backend()) {
                case IN_PROCESS -> new Capabilities(false, false);
                case TESTCONTAINERS -> new Capabilities(true, true);
                case URI -> probeCapabilities();
            };
        }
        return capabilities;
    }

    /** Sessions need logicalSessionTimeoutMinutes; transactions also a replica set or mongos. */
    private static Capabilities probeCapabilities() {
        Document hello;
        try {
            hello = client().getDatabase("admin").runCommand(new Document("hello", 1));
        } catch (MongoCommandException beforeMongo44) {
            hello = client().getDatabase("admin").runCommand(new Document("isMaster", 1));
        }
        boolean sessions = hello.get("logicalSessionTimeoutMinutes") != null;
        boolean replicaSetOrSharded = hello.get("setName") != null
                || "isdbgrid".equals(String.valueOf(hello.get("msg")).toLowerCase(Locale.ROOT));
        return new Capabilities(sessions, sessions && replicaSetOrSharded);
    }
}

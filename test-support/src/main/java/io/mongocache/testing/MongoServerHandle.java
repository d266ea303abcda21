package io.mongocache.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private in-process MongoDB server ({@code mongo-java-server} with its in-memory backend) on a
 * free loopback port, for tests and demos that need a server of their own, e.g. to shut it down. It lists
 * collections' default collations like a real server ({@link CollationListingBackend}).
 *
 * <p>The oplog is enabled, so change streams ({@code collection.watch()}) work, which the cache's
 * invalidation relies on. Multi-document transactions and sessions are not supported: check {@link
 * TestMongo#supportsTransactions()} before relying on them against the shared backend.
 *
 * <p>Obtain one with {@link TestMongo#startInProcess()} and close it when done: its Netty threads
 * are not daemon threads, so an unclosed server keeps a JVM alive after {@code main} returns.
 */
public final class MongoServerHandle implements AutoCloseable {

    private static final Pattern JAR_VERSION = Pattern.compile("mongo-java-server-core-([^/]+)\\.jar$");

    private final MongoServer server;
    private final int port;

    private MongoServerHandle(MongoServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static MongoServerHandle start() {
        return start(true);
    }

    /**
     * {@code oplog}: whether change streams work. Without it the server keeps no history of writes — which grows
     * without bound in this in-memory server — so long write-heavy benchmarks that need no change streams turn it
     * off.
     */
    static MongoServerHandle start(boolean oplog) {
        return start(oplog, null);
    }

    /** {@code version}: the server version it reports (and the wire version with it); null for its default. */
    static MongoServerHandle start(boolean oplog, ServerVersion version) {
        MemoryBackend backend = new CollationListingBackend();
        if (version != null) {
            backend.version(version);
        }
        // Without the oplog, mongo-java-server rejects $changeStream; invalidation tests need it.
        if (oplog) {
            backend.enableOplog();
        }
        MongoServer server = new MongoServer(backend);
        // Port 0: the kernel picks a free port at bind time, so there is no probe-then-bind race.
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        return new MongoServerHandle(server, address.getPort());
    }

    /** {@code mongodb://127.0.0.1:<port>}. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** The loopback port the server listens on. */
    public int port() {
        return port;
    }

    /** A new client for this server; the caller closes it. */
    public MongoClient newClient() {
        return MongoClients.create(connectionString());
    }

    /** Closes all connections and stops the server at once; its data is discarded. */
    @Override
    public void close() {
        server.shutdownNow();
    }

    @Override
    public String toString() {
        return "MongoServerHandle[" + connectionString() + "]";
    }

    /** E.g. {@code "mongo-java-server 1.47.0 with oplog"}. */
    static String description() {
        return "mongo-java-server " + libraryVersion() + " with oplog";
    }

    /**
     * The library version, taken from the jar name because its manifest carries none. Falls back to
     * "(unknown version)" when classes do not come from a Maven-named jar.
     */
    private static String libraryVersion() {
        try {
            String location = MongoServer.class.getProtectionDomain().getCodeSource().getLocation().getPath();
            Matcher matcher = JAR_VERSION.matcher(location);
            if (matcher.find()) {
                return matcher.group(1);
            }
        } catch (RuntimeException noCodeSource) {
            // Fall through to the unknown version.
        }
        return "(unknown version)";
    }
}

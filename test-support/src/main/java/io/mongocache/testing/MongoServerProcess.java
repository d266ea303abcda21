package io.mongocache.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.IOException;

/**
 * The in-process MongoDB server ({@code mongo-java-server}, in-memory, with oplog) in a JVM of its own, so that a
 * benchmark's client and the server do not share a heap, a garbage collector or JIT threads — as with a real
 * {@code mongod}. Started with this JVM's class path; {@link #close()} destroys the process.
 *
 * <p>Failure modes: a server that does not announce its port within 60 s fails {@link #start} and is destroyed.
 */
public final class MongoServerProcess implements AutoCloseable {
    private final ChildJvm child;
    private final int port;

    private MongoServerProcess(ChildJvm child) {
        this.child = child;
        this.port = Integer.parseInt(child.announcement());
    }

    /** Starts a server process with the given maximum heap (e.g. {@code "2g"}), with its oplog (change streams). */
    public static MongoServerProcess start(String maxHeap) {
        return start(maxHeap, true);
    }

    /**
     * Starts a server process; without the oplog, change streams fail but memory does not grow with every write
     * (the in-memory server keeps its oplog forever) — for long write-heavy benchmarks.
     */
    public static MongoServerProcess start(String maxHeap, boolean oplog) {
        return new MongoServerProcess(ChildJvm.start(Main.class, maxHeap, "mongo", Boolean.toString(oplog)));
    }

    /** {@code mongodb://127.0.0.1:<port>}. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The server process's id (for harnesses that read its CPU time). */
    public long pid() {
        return child.pid();
    }

    /** A new client for this server; the caller closes it. */
    public MongoClient newClient() {
        return MongoClients.create(connectionString());
    }

    @Override
    public void close() {
        child.close();
    }

    /** The child's main: start the server, announce the port, run until the parent goes away. */
    public static final class Main {
        private Main() {}

        public static void main(String[] args) throws IOException {
            MongoServerHandle server = MongoServerHandle.start(args.length == 0 || Boolean.parseBoolean(args[0]));
            ChildJvm.announceAndWait(Integer.toString(server.port()));
            server.close();
            System.exit(0);
        }
    }
}

package io.mongocache.testing;

import java.io.IOException;

/**
 * Run in a child JVM by {@link RedisServerIT}: starts a server, reports it, and waits to be killed.
 * Not a test itself.
 */
public final class RedisServerInChildJvm {

    private RedisServerInChildJvm() {}

    public static void main(String[] args) throws IOException {
        RedisServer server = RedisServer.start();
        System.out.println("pid=" + server.pid() + " port=" + server.port() + " dir=" + server.logFile().getParent());
        System.out.flush();
        // Block until the parent kills us; the parent never writes to our stdin.
        System.in.read();
    }
}

package io.mongocache.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What Redis itself did over a measured window: {@code INFO commandstats} (calls and microseconds executing, per
 * command) and {@code total_reads_processed} (socket reads), read on a connection of its own after
 * {@link #reset()}. For harnesses that report the work each operation puts on Redis, which, unlike client-side
 * latency on a small shared VM, does not depend on scheduling.
 */
public final class RedisCommandStats implements AutoCloseable {
    /** One command's calls and execution time in the window. */
    public record Command(String name, long calls, long micros) {}

    /** The window's commands (CONFIG and INFO, this class's own, left out), their total time and socket reads. */
    public record Window(List<Command> commands, long totalMicros, long reads) {
        /** One line per command: calls and microseconds per operation, given the window's operation count. */
        public List<String> perOperation(long operations) {
            List<String> out = new ArrayList<>();
            double n = Math.max(1, operations);
            for (Command c : commands) {
                out.add(String.format(Locale.ROOT, "%-10s %6.2f calls %7.2f µs", c.name(), c.calls() / n,
                        c.micros() / n));
            }
            return out;
        }
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    public RedisCommandStats(String uri) {
        this.client = RedisClient.create(uri);
        this.connection = client.connect();
    }

    /** Starts a window: {@code CONFIG RESETSTAT}. */
    public void reset() {
        connection.sync().configResetstat();
    }

    /** What happened since {@link #reset()}. */
    public Window read() {
        long total = 0;
        List<Command> commands = new ArrayList<>();
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_config") || line.startsWith("cmdstat_info")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = Long.parseLong(line.replaceAll(".*[:,]calls=(\\d+),.*", "$1"));
            long usec = Long.parseLong(line.replaceAll(".*,usec=(\\d+),.*", "$1"));
            total += usec;
            commands.add(new Command(name, calls, usec));
        }
        long reads = 0;
        for (String line : connection.sync().info("stats").split("\r?\n")) {
            if (line.startsWith("total_reads_processed:")) {
                reads = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return new Window(commands, total, reads);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}

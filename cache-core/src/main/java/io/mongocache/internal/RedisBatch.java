package io.mongocache.internal;

import io.lettuce.core.ExpireArgs;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * Native commands collected and then written to the connection together: one write and one flush, so a lookup or
 * an install of several commands costs the client one system call and the server one read, where Lettuce's
 * command API writes and flushes each command on its own. Replies arrive in order, as with any pipeline; on a
 * Cluster the connection routes each command to its slot's node.
 *
 * <p>Concurrency: one batch belongs to one thread until {@link #send()}; the connection is shared and thread-safe.
 * Failure modes: {@link #send()} throws what the connection throws (closed, rejecting while disconnected); each
 * command's failure or timeout completes its own future.
 */
final class RedisBatch {
    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

    private final StatefulConnection<byte[], byte[]> connection;
    private final List<RedisCommand<byte[], byte[], ?>> commands;

    RedisBatch(StatefulConnection<byte[], byte[]> connection, int expected) {
        this.connection = connection;
        this.commands = new ArrayList<>(expected);
    }

    /** {@code SET key value [options] GET}: the previous value, or null if there was none. */
    RedisFuture<byte[]> setGet(byte[] key, byte[] value, SetArgs options) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).addKey(key).addValue(value);
        options.build(args);
        args.add(CommandType.GET);
        return add(new Command<>(CommandType.SET, new ValueOutput<>(CODEC), args));
    }

    /** {@code SET key value [options]}. */
    RedisFuture<String> set(byte[] key, byte[] value, SetArgs options) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).addKey(key).addValue(value);
        options.build(args);
        return add(new Command<>(CommandType.SET, new StatusOutput<>(CODEC), args));
    }

    /** {@code GET key}. */
    RedisFuture<byte[]> get(byte[] key) {
        return add(new Command<>(CommandType.GET, new ValueOutput<>(CODEC), new CommandArgs<>(CODEC).addKey(key)));
    }

    /** {@code PTTL key}: the key's remaining life in milliseconds; -1 without an expiry, -2 if it does not exist. */
    RedisFuture<Long> remainingMillis(byte[] key) {
        return add(new Command<>(CommandType.PTTL, new IntegerOutput<>(CODEC), new CommandArgs<>(CODEC).addKey(key)));
    }

    /** {@code PEXPIRE key millis GT}: extends the key's life, never shortens it. */
    RedisFuture<Boolean> extendTo(byte[] key, long millis) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).addKey(key).add(millis);
        ExpireArgs.Builder.gt().build(args);
        return add(new Command<>(CommandType.PEXPIRE, new BooleanOutput<>(CODEC), args));
    }

    /** {@code DEL key}. */
    RedisFuture<Long> del(byte[] key) {
        return add(new Command<>(CommandType.DEL, new IntegerOutput<>(CODEC), new CommandArgs<>(CODEC).addKey(key)));
    }

    /** {@code PUBLISH channel message}: how many subscribers received it. */
    RedisFuture<Long> publish(byte[] channel, byte[] message) {
        return add(new Command<>(CommandType.PUBLISH, new IntegerOutput<>(CODEC),
                new CommandArgs<>(CODEC).addKey(channel).addValue(message)));
    }

    private <T> RedisFuture<T> add(Command<byte[], byte[], T> command) {
        AsyncCommand<byte[], byte[], T> async = new AsyncCommand<>(command);
        commands.add(async);
        return async;
    }

    /** Writes every command collected, in order, with one flush. */
    void send() {
        if (!commands.isEmpty()) {
            connection.dispatch(commands);
        }
    }
}

package io.mongocache.example;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonValue;

/**
 * Counts the commands the application's MongoClient sends, by command name and collection: the server's view of
 * what the cache saved it. Installed through a {@code MongoClientSettingsBuilderCustomizer} in the tests.
 */
public final class CommandCounter implements CommandListener {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    @Override
    public void commandStarted(CommandStartedEvent event) {
        BsonValue target = event.getCommand().get(event.getCommandName());
        String collection = target != null && target.isString() ? target.asString().getValue() : "";
        counts.computeIfAbsent(event.getCommandName() + " " + collection, k -> new AtomicLong()).incrementAndGet();
    }

    /** How many {@code command}s on {@code collection} were sent so far. */
    public long count(String command, String collection) {
        AtomicLong n = counts.get(command + " " + collection);
        return n == null ? 0 : n.get();
    }
}

package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionPoolListener;
import io.mongocache.testing.TestMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.codecs.configuration.CodecConfigurationException;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.codecs.pojo.PojoCodecProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The user's {@code MongoClientSettings} reach every pool — the primary and the separate ones — and the library's
 * own listeners and limits are added to them, not put in their place.
 */
class MongoPoolsClientSettingsIT {
    /** A POJO class (not a record, which the driver's default registry already handles): needs the POJO codecs. */
    public static final class Item {
        private String id;
        private String name;

        public Item() {}

        Item(String id, String name) {
            this.id = id;
            this.name = name;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Item other && Objects.equals(id, other.id) && Objects.equals(name, other.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, name);
        }

        @Override
        public String toString() {
            return "Item{" + id + ", " + name + "}";
        }
    }

    private static final CodecRegistry POJO_CODECS = CodecRegistries.fromRegistries(
            MongoClientSettings.getDefaultCodecRegistry(),
            CodecRegistries.fromProviders(PojoCodecProvider.builder().automatic(true).build()));

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> databases = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        databases.forEach(name -> TestMongo.client().getDatabase(name).drop());
    }

    /** A database of this test's own, dropped after it. */
    private String uniqueDatabase(String prefix) {
        String name = TestMongo.uniqueDatabaseName(prefix);
        databases.add(name);
        return name;
    }

    private static PoolStats statsOf(MongoPools pools, String pool) {
        return pools.stats().pools().stream().filter(p -> p.pool().equals(pool)).findFirst().orElseThrow();
    }

    private MongoPools track(MongoPools pools) {
        closeables.add(pools);
        return pools;
    }

    /** Commands seen by a user's listener, as "database.command". */
    private static final class SeenCommands implements CommandListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void commandStarted(CommandStartedEvent event) {
            seen.add(event.getDatabaseName() + "." + event.getCommandName());
        }
    }

    private static void writeAndReadAnItem(MongoDatabase database) {
        Item item = new Item("i1", "widget");
        database.getCollection("items", Item.class).insertOne(item);
        assertEquals(item, database.getCollection("items", Item.class).find().first());
    }

    @Test
    void shouldReadAndWritePojosOnThePrimaryAndASeparatePoolWithTheCodecRegistryOfThePrimarysSettings() {
        String tenant = uniqueDatabase("pojo_tenant");
        String reports = uniqueDatabase("pojo_reports");
        MongoPools pools = track(MongoPools.builder()
                .primary(MongoClientSettings.builder()
                        .applyConnectionString(new ConnectionString(TestMongo.connectionString()))
                        .codecRegistry(POJO_CODECS).build())
                .separatePool(reports, PoolOptions.builder().maxConnections(2).build())
                .build());
        writeAndReadAnItem(pools.database(tenant));
        writeAndReadAnItem(pools.database(reports));
        assertEquals(2, statsOf(pools, reports).maxSize(), "the separate pool keeps its own limit");
    }

    @Test
    void shouldTellTheUsersListenersAboutEveryPoolWhilePoolStatsAndCursorTrackingStillWork() {
        String tenant = uniqueDatabase("listen_tenant");
        String reports = uniqueDatabase("listen_reports");
        SeenCommands commands = new SeenCommands();
        AtomicInteger checkouts = new AtomicInteger();
        ConnectionPoolListener checkoutCounter = new ConnectionPoolListener() {
            @Override
            public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
                checkouts.incrementAndGet();
            }
        };
        MongoPools pools = track(MongoPools.builder()
                .primary(TestMongo.connectionString())
                .clientSettings(MongoClientSettings.builder().addCommandListener(commands)
                        .applyToConnectionPoolSettings(pool -> pool.addConnectionPoolListener(checkoutCounter))
                        .build())
                .primaryMaxConnections(7)
                .separatePool(reports, PoolOptions.builder().maxConnections(3).build())
                .build());
        pools.database(tenant).getCollection("c").insertOne(new Document("_id", 1));
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Document("_id", i));
        }
        pools.database(reports).getCollection("c").insertMany(docs);
        int checkoutsBeforeTheCursor = checkouts.get();
        try (MongoCursor<Document> cursor = pools.database(reports).getCollection("c").find().batchSize(2).cursor()) {
            cursor.next();
            assertTrue(commands.seen.contains(tenant + ".insert"), commands.seen.toString());
            assertTrue(commands.seen.contains(reports + ".insert"), commands.seen.toString());
            assertTrue(commands.seen.contains(reports + ".find"), commands.seen.toString());
            assertTrue(checkouts.get() > checkoutsBeforeTheCursor, "the user's pool listener sees checkouts");

            PoolStats primary = statsOf(pools, MongoPools.PRIMARY);
            PoolStats own = statsOf(pools, reports);
            assertEquals(7, primary.maxSize(), "primaryMaxConnections applies over the base settings");
            assertEquals(3, own.maxSize(), "maxConnections applies over the base settings");
            assertTrue(own.connections() >= 1, "connections counted from the library's pool listener: " + own);
            assertEquals(1, own.openCursors(), "the cursor is tracked through the library's command listener");
        }
    }

    @Test
    void shouldApplyAPerDatabaseSettingsChangeToThatDatabaseOnly() {
        String reports = uniqueDatabase("override_reports");
        String other = uniqueDatabase("override_other");
        String tenant = uniqueDatabase("override_tenant");
        SeenCommands everyPool = new SeenCommands();
        SeenCommands reportsOnly = new SeenCommands();
        MongoPools pools = track(MongoPools.builder()
                .primary(TestMongo.connectionString())
                .clientSettings(MongoClientSettings.builder().addCommandListener(everyPool).build())
                .separatePool(reports, PoolOptions.builder()
                        .clientSettings(s -> s.codecRegistry(POJO_CODECS).addCommandListener(reportsOnly)).build())
                .separatePool(other, PoolOptions.defaults())
                .build());
        writeAndReadAnItem(pools.database(reports));
        assertThrows(CodecConfigurationException.class,
                () -> pools.database(other).getCollection("items", Item.class).insertOne(new Item("i1", "x")),
                "another separate pool keeps the base codecs");
        assertThrows(CodecConfigurationException.class,
                () -> pools.database(tenant).getCollection("items", Item.class).insertOne(new Item("i1", "x")),
                "the primary keeps the base codecs");
        pools.database(other).getCollection("c").insertOne(new Document("_id", 1));
        pools.database(tenant).getCollection("c").insertOne(new Document("_id", 1));

        assertTrue(reportsOnly.seen.contains(reports + ".insert"), reportsOnly.seen.toString());
        assertTrue(reportsOnly.seen.stream().allMatch(c -> c.startsWith(reports + ".")), reportsOnly.seen.toString());
        assertTrue(everyPool.seen.containsAll(List.of(reports + ".insert", other + ".insert", tenant + ".insert")),
                "the change adds to the base's listeners: " + everyPool.seen);
    }
}

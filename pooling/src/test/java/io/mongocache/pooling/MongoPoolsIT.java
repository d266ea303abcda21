package io.mongocache.pooling;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import io.mongocache.pooling.bulk.ImportException;
import io.mongocache.pooling.bulk.ProgressListener;
import io.mongocache.testing.MongoServerHandle;
import io.mongocache.testing.Await;
import io.mongocache.testing.TcpProxy;
import io.mongocache.testing.TestMongo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Real pools against the MongoDB fixture, observed through a TCP proxy where the server side matters. */
class MongoPoolsIT {
    /** Long enough that the background idle check never fires during a test; the tests sweep past it themselves. */
    private static final Duration IDLE_TTL = Duration.ofMinutes(1);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** A proxy in front of the test MongoDB, and a connection string through it. */
    private TcpProxy proxy() {
        int port = TestMongo.port();
        return track(TcpProxy.raw(port));
    }

    private static String through(TcpProxy proxy) {
        return "mongodb://127.0.0.1:" + proxy.port() + "/?directConnection=true";
    }

    /** A clock reading past {@link #IDLE_TTL} from now, for {@link MongoPools#closeIdlePools(long)}. */
    private static long afterTheIdleTtl() {
        return System.currentTimeMillis() + IDLE_TTL.toMillis() * 2;
    }

    /** Ten documents in {@code c}, and a cursor over them that has read its first batch of two. */
    private static MongoCursor<Document> openCursor(MongoDatabase database) {
        MongoCollection<Document> c = database.getCollection("c");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Document("_id", i));
        }
        c.insertMany(docs);
        MongoCursor<Document> cursor = c.find().batchSize(2).cursor();
        cursor.next();
        return cursor;
    }

    private static int readTheRest(MongoCursor<Document> cursor) {
        int n = 0;
        while (cursor.hasNext()) {
            cursor.next();
            n++;
        }
        return n;
    }


    @Test
    void shouldRouteDatabasesToTheSharedOrTheirOwnPool() {
        String reports = TestMongo.uniqueDatabaseName("reports");
        String tenant = TestMongo.uniqueDatabaseName("tenant");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(reports, PoolOptions.builder().maxConnections(2).build()).build());
        pools.database(tenant).getCollection("c").insertOne(new Document("_id", 1));
        pools.database(reports).getCollection("c").insertOne(new Document("_id", 2));
        assertEquals(1, pools.database(tenant).getCollection("c").countDocuments());
        assertEquals(2, pools.database(reports).getCollection("c").find().first().getInteger("_id"));
        PoolsStats stats = pools.stats();
        assertEquals(MongoPools.PRIMARY, stats.pools().get(0).pool());
        PoolStats own = stats.pools().stream().filter(p -> p.pool().equals(reports)).findFirst().orElseThrow();
        assertEquals("OPEN", own.state());
        assertEquals(2, own.maxSize());
        assertTrue(stats.toJson().contains("\"" + reports + "\""));
        assertTrue(pools.stats(reports).collections().stream().anyMatch(c -> c.name().equals("c")
                && c.estimatedCount() == 1));
        assertTrue(pools.listDatabases().stream().anyMatch(d -> d.database().equals(tenant)));
        pools.database(tenant).drop();
        pools.database(reports).drop();
    }

    @Test
    void shouldKeepServerSideConnectionsWithinEachPoolsLimit() throws Exception {
        TcpProxy proxy = proxy();
        String db = TestMongo.uniqueDatabaseName("limits");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().uri(through(proxy)).maxConnections(3).build()).build());
        MongoDatabase database = pools.database(db);
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            docs.add(new Document("_id", i).append("pad", "x".repeat(200)));
        }
        database.getCollection("c").insertMany(docs);
        proxy.delayReplies(Duration.ofMillis(5));
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> work = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                work.add(threads.submit(() -> {
                    int n = 0;
                    for (int i = 0; i < 10; i++) {
                        n += database.getCollection("c").find().batchSize(100).into(new ArrayList<>()).size();
                    }
                    return n;
                }));
            }
            boolean sawSaturation = false;
            for (Future<Integer> f : work) {
                sawSaturation |= pools.pools().isSaturated(db);
                assertEquals(20_000, f.get());
            }
            // Per server: the pool's 3 plus the driver's monitoring connections (heartbeat and round-trip time).
            int peak = proxy.peakConnections();
            System.out.println("pool limit 3: peak server-side connections " + peak + ", saturation seen "
                    + sawSaturation);
            assertTrue(peak <= 3 + 2, "peak " + peak);
            assertTrue(peak >= 3, "the load should have used the whole pool, peak " + peak);
        } finally {
            threads.shutdownNow();
            proxy.delayReplies(Duration.ZERO);
        }
        database.drop();
    }

    @Test
    void shouldCloseIdlePoolsAndReopenThemOnUse() throws Exception {
        String db = TestMongo.uniqueDatabaseName("idle");
        List<PoolEvent> events = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().autoClose(Duration.ofMillis(300)).build())
                .onConnect(db, events::add).onDisconnect(db, events::add).build());
        MongoDatabase handle = pools.database(db);
        assertEquals(0, pools.pools().open(), "cold start: nothing opened before first use");
        handle.getCollection("c").insertOne(new Document("x", 1));
        assertEquals(1, pools.pools().open());
        Await.until(() -> pools.pools().open() == 0, Duration.ofSeconds(10), "the idle pool to close");
        assertEquals(1, handle.getCollection("c").countDocuments(), "the old handle reopens the pool");
        assertEquals(List.of(PoolEvent.Reason.FIRST_USE, PoolEvent.Reason.IDLE, PoolEvent.Reason.FIRST_USE),
                events.stream().map(PoolEvent::reason).toList());
        handle.drop();
    }

    @Test
    void shouldEvictOnlyIdlePoolsUnderTheCap() throws Exception {
        TcpProxy slow = proxy();
        String busy = TestMongo.uniqueDatabaseName("busy");
        String idle = TestMongo.uniqueDatabaseName("idle");
        String third = TestMongo.uniqueDatabaseName("third");
        List<PoolEvent> closedPools = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString()).maxOpenPools(2)
                .separatePool(busy, PoolOptions.builder().uri(through(slow)).build())
                .separatePool(idle, PoolOptions.defaults())
                .separatePool(third, PoolOptions.defaults())
                .onDisconnect(closedPools::add).build());
        pools.database(busy).getCollection("c").insertOne(new Document("x", 1));
        // Last use is kept in milliseconds: the idle pool's must come later than the busy one's.
        long busyUsed = System.currentTimeMillis();
        Await.until(() -> System.currentTimeMillis() > busyUsed, Duration.ofSeconds(10), "the next millisecond");
        pools.database(idle).getCollection("c").insertOne(new Document("x", 1));
        // The busy pool is the least recently used, but has a command in flight when the third pool opens: its
        // reply is held until the third pool is open.
        slow.holdReplies();
        CompletableFuture<Long> inFlight = CompletableFuture.supplyAsync(
                () -> pools.database(busy).getCollection("c").countDocuments());
        Await.until(() -> pools.stats().pools().stream().anyMatch(p -> p.pool().equals(busy) && p.inFlight() > 0),
                Duration.ofSeconds(10), "the busy pool's command to start");
        pools.database(third).getCollection("c").insertOne(new Document("x", 1));
        slow.releaseReplies();
        assertEquals(1L, inFlight.get(), "the in-flight command completed");
        assertEquals(List.of(new PoolEvent(idle, PoolEvent.Reason.EVICTED)), closedPools);
        assertEquals(2, pools.pools().open());
        for (String db : List.of(busy, idle, third)) {
            pools.database(db).drop();
        }
    }

    @Test
    void shouldCallEveryHookInOrderAndSurviveAThrowingOne() {
        String db = TestMongo.uniqueDatabaseName("hooks");
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.defaults())
                .onConnect(e -> calls.add("all:" + e.database().equals(db)))
                .onConnect(db, e -> calls.add("first"))
                .onConnect(db, e -> {
                    throw new IllegalStateException("a broken hook");
                })
                .onConnect(db, e -> calls.add("third"))
                .build());
        calls.clear(); // the primary's connect event at build
        pools.database(db).getCollection("c").insertOne(new Document());
        assertEquals(List.of("all:true", "first", "third"), calls);
        pools.pools().disconnect(db);
        assertEquals(1, pools.database(db).getCollection("c").countDocuments(), "the pool still works");
        pools.database(db).drop();
    }

    @Test
    void shouldReportAStoppedServerAsDown() throws Exception {
        MongoServerHandle doomed = TestMongo.startInProcess();
        String db = TestMongo.uniqueDatabaseName("health");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().uri(doomed.connectionString()).coldStart(false).build())
                .build());
        HealthReport before = pools.health(Duration.ofSeconds(2));
        assertTrue(before.healthy(), before.toJson());
        doomed.close();
        HealthReport after = pools.health(Duration.ofMillis(500));
        assertFalse(after.healthy());
        HealthReport.PoolHealth down = after.pools().stream().filter(p -> p.pool().equals(db)).findFirst().orElseThrow();
        assertFalse(down.up());
        assertTrue(after.pools().get(0).up(), "the primary is still up");
        assertTrue(after.toJson().contains("\"up\" : false"));
    }

    @Test
    void shouldWaitForInFlightWorkWhenClosing() throws Exception {
        TcpProxy slow = proxy();
        String db = TestMongo.uniqueDatabaseName("closing");
        MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().uri(through(slow)).build()).build();
        pools.database(db).getCollection("c").insertOne(new Document("x", 1));
        slow.delayReplies(Duration.ofMillis(500));
        CompletableFuture<Long> inFlight = CompletableFuture.supplyAsync(
                () -> pools.database(db).getCollection("c").countDocuments());
        Await.until(() -> pools.stats().pools().stream().anyMatch(p -> p.pool().equals(db) && p.inFlight() > 0),
                Duration.ofSeconds(10), "the command to start");
        pools.close(Duration.ofSeconds(5));
        assertEquals(1L, inFlight.get(), "close waited for the in-flight command");
        assertThrows(MongoPoolsClosedException.class, () -> pools.database(db));
        assertThrows(MongoPoolsClosedException.class, pools::health);
        slow.delayReplies(Duration.ZERO);
        try (MongoPools cleanup = MongoPools.builder().primary(TestMongo.connectionString()).build()) {
            cleanup.database(db).drop();
        }
    }

    @Test
    void shouldRejectUnknownDatabasesWhereOneIsRequired() {
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString()).build());
        String missing = TestMongo.uniqueDatabaseName("missing");
        IllegalArgumentException copy = assertThrows(IllegalArgumentException.class,
                () -> pools.bulk().copyDatabase(missing, TestMongo.uniqueDatabaseName("target")));
        assertTrue(copy.getMessage().startsWith("source: database '" + missing + "' does not exist"), copy.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pools.bulk().export(missing));
        IllegalArgumentException disconnect = assertThrows(IllegalArgumentException.class,
                () -> pools.pools().disconnect(missing));
        assertTrue(disconnect.getMessage().contains("has no separate pool"), disconnect.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pools.database("bad/name"));
    }

    @Test
    void shouldTrackChangeStreamsPerDatabase() {
        String db = TestMongo.uniqueDatabaseName("streams");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString()).build());
        pools.database(db).getCollection("c").insertOne(new Document());
        var cursor = pools.openChangeStream(db, List.of());
        pools.closeChangeStreams(db);
        assertThrows(RuntimeException.class, cursor::tryNext, "a closed cursor refuses to read");
        pools.database(db).drop();
    }

    @Test
    void shouldNotAutoCloseAPoolWithAnOpenCursor() {
        String db = TestMongo.uniqueDatabaseName("cursor");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().autoClose(IDLE_TTL).build()).build());
        MongoCursor<Document> cursor = openCursor(pools.database(db));
        pools.closeIdlePools(afterTheIdleTtl());
        assertEquals(1, pools.pools().open(), "the open cursor keeps its pool open past the idle TTL");
        assertEquals(9, readTheRest(cursor), "the cursor reads on");
        pools.closeIdlePools(afterTheIdleTtl());
        assertEquals(0, pools.pools().open(), "an exhausted cursor holds nothing");
        pools.database(db).drop();
    }

    @Test
    void shouldNotAutoCloseAPoolWithAnOpenChangeStream() throws Exception {
        String db = TestMongo.uniqueDatabaseName("stream");
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().autoClose(IDLE_TTL).build()).build());
        pools.database(db).getCollection("c").insertOne(new Document("_id", 0));
        var stream = pools.openChangeStream(db, List.of());
        pools.closeIdlePools(afterTheIdleTtl());
        assertEquals(1, pools.pools().open(), "the open change stream keeps its pool open past the idle TTL");
        assertDoesNotThrow(stream::tryNext, "the change stream reads on");
        pools.closeChangeStreams(db);
        Await.until(() -> {
            pools.closeIdlePools(afterTheIdleTtl());
            return pools.pools().open() == 0;
        }, Duration.ofSeconds(10), "the pool to close once its change stream is closed");
        pools.database(db).drop();
    }

    @Test
    void shouldNotEvictAPoolWithAnOpenCursorToMakeRoomForAnother() {
        String reading = TestMongo.uniqueDatabaseName("reading");
        String other = TestMongo.uniqueDatabaseName("other");
        List<PoolEvent> closedPools = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString()).maxOpenPools(1)
                .separatePool(reading, PoolOptions.defaults()).separatePool(other, PoolOptions.defaults())
                .onDisconnect(closedPools::add).build());
        MongoCursor<Document> cursor = openCursor(pools.database(reading));
        pools.database(other).getCollection("c").insertOne(new Document());
        assertEquals(List.of(), closedPools, "the least recently used pool has an open cursor");
        assertEquals(2, pools.pools().open());
        assertEquals(9, readTheRest(cursor), "the cursor reads on");
        pools.database(reading).drop();
        pools.database(other).drop();
    }

    @Test
    void shouldHandOutOnlyTheReplacementWhenAPoolIsReplacedDuringTheLookup() throws Exception {
        TcpProxy oldRoute = proxy();
        TcpProxy newRoute = proxy();
        String db = TestMongo.uniqueDatabaseName("replaced");
        MongoPools pools = MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().uri(through(oldRoute)).build()).build();
        try {
            pools.database(db).getCollection("c").insertOne(new Document("_id", 1));
            AtomicBoolean replaced = new AtomicBoolean();
            pools.afterPoolLookup = () -> {
                if (replaced.compareAndSet(false, true)) {
                    pools.pools().separatePools(List.of(db), PoolOptions.builder().uri(through(newRoute)).build());
                }
            };
            assertEquals(1, pools.database(db).getCollection("c").countDocuments());
            assertTrue(replaced.get(), "the replacement ran between the lookup and the hand-out");
            assertEquals(1, pools.database(db).getCollection("c").countDocuments());
            Await.until(() -> oldRoute.activeConnections() == 0, Duration.ofSeconds(10),
                    "the replaced pool's client to close");
            assertTrue(newRoute.activeConnections() > 0, "the replacement serves the database");
            pools.database(db).drop();
        } finally {
            pools.close();
        }
        Await.until(() -> oldRoute.activeConnections() + newRoute.activeConnections() == 0, Duration.ofSeconds(10),
                "every client to close with the pools");
    }

    @Test
    void shouldCloseAReplacedPoolOnceItsLastCursorIsDone() throws Exception {
        TcpProxy oldRoute = proxy();
        String db = TestMongo.uniqueDatabaseName("retired");
        List<PoolEvent> closedPools = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .separatePool(db, PoolOptions.builder().uri(through(oldRoute)).build())
                .onDisconnect(db, closedPools::add).build());
        MongoCursor<Document> cursor = openCursor(pools.database(db));
        pools.pools().separatePools(List.of(db), PoolOptions.defaults());
        assertEquals(10, pools.database(db).getCollection("c").countDocuments(),
                "the replacement serves the database");
        assertEquals(9, readTheRest(cursor), "the replaced pool finishes its cursor");
        Await.until(() -> oldRoute.activeConnections() == 0, Duration.ofSeconds(10),
                "the replaced pool to close once its cursor is done");
        // The hook runs right after the client closed, on the closing thread: wait for it, then check it ran once.
        Await.until(() -> !closedPools.isEmpty(), Duration.ofSeconds(10), "the CLOSED hook");
        assertEquals(List.of(new PoolEvent(db, PoolEvent.Reason.CLOSED)), closedPools);
        pools.database(db).drop();
    }

    @Test
    void shouldTellTheChangeHooksAboutEveryBulkTaskThatChangesData() {
        List<String> changed = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .onDatabaseChanged(changed::add).build());
        String source = TestMongo.uniqueDatabaseName("bulk_source");
        pools.database(source).getCollection("c").insertOne(new Document("_id", 1));
        String export = pools.bulk().export(source);
        Map<String, Consumer<String>> writes = new LinkedHashMap<>();
        writes.put("bulk().copyDatabase", target -> pools.bulk().copyDatabase(source, target));
        writes.put("bulk().copyDatabase with progress",
                target -> pools.bulk().copyDatabase(source, target, ProgressListener.NONE));
        writes.put("bulk().importInto", target -> pools.bulk().importInto(target, export));
        writes.put("bulk().importFrom",
                target -> pools.bulk().importFrom(target, utf8(export), ProgressListener.NONE));
        writes.put("bulk().dropDatabase", target -> pools.bulk().dropDatabase(target));
        writes.put("a failing bulk().importInto", target -> assertThrows(ImportException.class,
                () -> pools.bulk().importInto(target, export.substring(0, export.lastIndexOf("{\"endExport\"")))));
        for (Map.Entry<String, Consumer<String>> write : writes.entrySet()) {
            String target = TestMongo.uniqueDatabaseName("bulk_target");
            changed.clear();
            write.getValue().accept(target);
            assertEquals(List.of(target), changed, write.getKey() + " tells the hooks");
            pools.database(target).drop();
        }
        changed.clear();
        pools.bulk().export(source);
        pools.bulk().exportTo(source, new ByteArrayOutputStream(), ProgressListener.NONE);
        assertEquals(List.of(), changed, "exports change nothing");
        pools.database(source).drop();
    }

    @Test
    void shouldRefuseAMissingSourceOnEveryBulkCopyAndExportBeforeTellingTheHooks() {
        List<String> changed = Collections.synchronizedList(new ArrayList<>());
        MongoPools pools = track(MongoPools.builder().primary(TestMongo.connectionString())
                .onDatabaseChanged(changed::add).build());
        String missing = TestMongo.uniqueDatabaseName("missing");
        String target = TestMongo.uniqueDatabaseName("target");
        record Read(String parameter, Executable call) {}
        for (Read read : List.of(
                new Read("source", () -> pools.bulk().copyDatabase(missing, target)),
                new Read("source", () -> pools.bulk().copyDatabase(missing, target, ProgressListener.NONE)),
                new Read("database", () -> pools.bulk().export(missing)),
                new Read("database",
                        () -> pools.bulk().exportTo(missing, new ByteArrayOutputStream(), ProgressListener.NONE)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read.call());
            assertEquals(read.parameter() + ": database '" + missing + "' does not exist (it has no collections)",
                    e.getMessage());
        }
        assertEquals(List.of(), changed, "a refused copy tells nobody");
        assertFalse(pools.database(target).listCollectionNames().iterator().hasNext(), "nothing was copied");
    }

    private static ByteArrayInputStream utf8(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}

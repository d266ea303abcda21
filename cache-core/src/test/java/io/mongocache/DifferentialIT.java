package io.mongocache;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.mongocache.testing.DifferentialWorkload.item;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import io.mongocache.testing.DifferentialWorkload;
import io.mongocache.testing.TestMongo;
import io.mongocache.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle of promise 1 (transparent): long seeded random sequences of reads (every cached operation kind with
 * varied options) and writes (every kind), run through a {@link CachedCollection} and through the raw driver on
 * an identical second database. Every result — documents as canonical Extended JSON, counts, write results,
 * errors — must be equal at every step. A stale cached read shows up as a difference.
 */
public class DifferentialIT {
    private static final int OPERATIONS = 10_000;
    private static final int KEY_SPACE = DifferentialWorkload.KEY_SPACE;

    enum Tiers { L1, L1_AND_REDIS, REDIS_ONLY }

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(11L, Tiers.L1),
                Arguments.of(23L, Tiers.L1),
                Arguments.of(47L, Tiers.L1_AND_REDIS),
                Arguments.of(89L, Tiers.L1_AND_REDIS),
                Arguments.of(131L, Tiers.REDIS_ONLY));
    }

    /** One side of the comparison. */
    private record Side(MongoCollection<Document> items, MongoCollection<Document> tags) {}

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("runs")
    void shouldReturnWhatTheRawDriverReturns(long seed, Tiers tiers) throws InterruptedException {
        // Whole-namespace invalidation here; PreciseDifferentialIT runs the same oracle with precision (the default).
        MongoCacheBuilder builder = MongoCache.builder().preciseInvalidation(false);
        if (tiers != Tiers.L1) {
            builder.redis(TestRedis.uri());
        }
        if (tiers == Tiers.REDIS_ONLY) {
            builder.maxLocalBytes(0);
        }
        try (MongoCache cache = builder.build()) {
            run(seed, tiers.toString(), List.of(cache));
        }
    }

    /**
     * Runs one seeded sequence through the given nodes (each operation on a node picked by the seed) and through
     * the raw driver. With several nodes, every node waits for the invalidations of a write before the next
     * operation, so that the comparison is exact (bounded staleness is the stale-read checker's subject).
     */
    public static void run(long seed, String label, List<MongoCache> nodes) throws InterruptedException {
        MongoDatabase cachedDb = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("diff_cached"));
        MongoDatabase rawDb = TestMongo.client().getDatabase(TestMongo.uniqueDatabaseName("diff_raw"));
        try {
            List<Side> sides = new ArrayList<>();
            for (MongoCache node : nodes) {
                sides.add(new Side(node.wrap(cachedDb.getCollection("items")), node.wrap(cachedDb.getCollection("tags"))));
            }
            Side raw = new Side(rawDb.getCollection("items"), rawDb.getCollection("tags"));
            Side cached = sides.get(0);
            Random random = new Random(seed);
            for (Side side : List.of(cached, raw)) {
                Random data = new Random(seed);
                for (int i = 0; i < KEY_SPACE / 2; i++) {
                    side.items().insertOne(item(data, i));
                }
                for (int g = 0; g < 5; g++) {
                    side.tags().insertOne(new Document("_id", g).append("label", "group-" + g));
                }
            }
            int reads = 0;
            for (int step = 0; step < OPERATIONS; step++) {
                long opSeed = random.nextLong();
                Side via = sides.get(random.nextInt(sides.size()));
                // Alternate read-heavy phases (where hits pile up) with write-heavy ones (where stale entries would
                // show), so that both cached reads and invalidations are exercised hard.
                boolean readHeavy = (step / 100) % 2 == 0;
                Operation op = Operation.pick(random, readHeavy);
                String expected = run(op, raw, new Random(opSeed));
                String actual = run(op, via, new Random(opSeed));
                if (!expected.equals(actual)) {
                    fail("seed " + seed + " (" + label + "), step " + step + ", " + op + ":\n  raw:    " + expected
                            + "\n  cached: " + actual);
                }
                if (!op.read && nodes.size() > 1) {
                    for (MongoCache node : nodes) {
                        org.junit.jupiter.api.Assertions.assertTrue(node.awaitInvalidations(Duration.ofSeconds(5)),
                                "a node did not become current");
                    }
                }
                if (op.read) {
                    reads++;
                }
            }
            NamespaceStats items = NamespaceStats.EMPTY;
            long l2Errors = 0;
            for (MongoCache node : nodes) {
                items = items.plus(node.stats().namespace(cachedDb.getName() + ".items"));
                l2Errors += node.stats().totals().l2Errors();
            }
            System.out.printf("differential seed %d %s: %d operations, %d reads, hits L1 %d / L2 %d, loads %d,"
                    + " bypasses %d, invalidations %d%n", seed, label, OPERATIONS, reads, items.l1Hits(),
                    items.l2Hits(), items.loads(), items.bypasses(), items.invalidations());
            assertEquals(0, l2Errors, "no Redis errors expected in a healthy run");
            // The comparison is only meaningful if the cache actually served reads.
            org.junit.jupiter.api.Assertions.assertTrue(items.l1Hits() + items.l2Hits() > reads / 5,
                    "the cache served too few reads to test anything: " + items);
        } finally {
            cachedDb.drop();
            rawDb.drop();
        }
    }

    enum Operation {
        FIND_BY_ID(true, 14), FIND_IN(true, 5), FIND_RANGE(true, 6), FIND_GROUP(true, 5), FIND_FIRST_SORTED(true, 4),
        FIND_MAPPED(true, 3), FIND_NO_CACHE(true, 2), COUNT(true, 5), COUNT_WITH_OPTIONS(true, 2),
        ESTIMATED_COUNT(true, 2), DISTINCT(true, 3), DISTINCT_FILTERED(true, 2), AGGREGATE_GROUP(true, 3),
        AGGREGATE_LOOKUP(true, 3), FIND_FILTERED(true, 2),
        INSERT_ONE(false, 4), INSERT_MANY(false, 2), UPDATE_ONE(false, 6), UPSERT(false, 2), UPDATE_MANY(false, 2),
        REPLACE_ONE(false, 2), DELETE_ONE(false, 3), DELETE_MANY(false, 1), FIND_ONE_AND_UPDATE(false, 2),
        FIND_ONE_AND_REPLACE(false, 1), FIND_ONE_AND_DELETE(false, 1), BULK_WRITE(false, 2), BULK_RANDOM(false, 2), WRITE_TAGS(false, 2),
        DROP(false, 0);

        final boolean read;
        final int weight;

        Operation(boolean read, int weight) {
            this.read = read;
            this.weight = weight;
        }

        static Operation pick(Random r, boolean readHeavy) {
            if (r.nextInt(2000) == 0) {
                return DROP;
            }
            boolean readsOnly = readHeavy;
            List<Operation> candidates = Stream.of(values()).filter(o -> o.read || !readsOnly).toList();
            int total = candidates.stream().mapToInt(o -> o.weight).sum();
            int x = r.nextInt(total);
            for (Operation o : candidates) {
                x -= o.weight;
                if (x < 0) {
                    return o;
                }
            }
            throw new AssertionError();
        }
    }

    private static String run(Operation op, Side side, Random r) {
        try {
            return execute(op, side, r);
        } catch (MongoException e) {
            return "ERROR " + e.getClass().getSimpleName() + " code " + e.getCode();
        }
    }

    private static String execute(Operation op, Side s, Random r) {
        MongoCollection<Document> c = s.items();
        // A hot set of a dozen documents takes three quarters of the traffic, reads and writes alike.
        int id = DifferentialWorkload.id(r);
        switch (op) {
            case FIND_BY_ID:
                return json(c.find(eq("_id", id)).first());
            case FIND_IN:
                return json(c.find(in("_id", id, r.nextInt(KEY_SPACE), r.nextInt(KEY_SPACE)))
                        .sort(Sorts.ascending("_id")).into(new ArrayList<>()));
            case FIND_RANGE: {
                int lo = r.nextInt(100);
                var find = c.find(and(gte("n", lo), lt("n", lo + 1 + r.nextInt(30))))
                        .sort(Sorts.orderBy(Sorts.descending("n"), Sorts.ascending("_id")))
                        .skip(r.nextInt(3)).limit(r.nextInt(8));
                if (r.nextBoolean()) {
                    find.projection(Projections.include("n", "s"));
                }
                return json(find.into(new ArrayList<>()));
            }
            case FIND_GROUP:
                return json(c.find(eq("g", r.nextInt(5))).sort(Sorts.ascending("_id")).into(new ArrayList<>()));
            case FIND_FIRST_SORTED:
                return json(c.find(eq("g", r.nextInt(5))).sort(Sorts.descending("n", "_id")).first());
            case FIND_MAPPED:
                return c.find(eq("g", r.nextInt(5))).sort(Sorts.ascending("_id")).map(d -> d.get("_id") + ":"
                        + d.get("n")).into(new ArrayList<>()).toString();
            case FIND_NO_CACHE: {
                var find = c.find(eq("_id", id));
                if (find instanceof CachedFindIterable<Document> cachedFind) {
                    cachedFind.noCache();
                }
                return json(find.first());
            }
            case COUNT:
                return r.nextBoolean() ? String.valueOf(c.countDocuments())
                        : String.valueOf(c.countDocuments(eq("g", r.nextInt(5))));
            case COUNT_WITH_OPTIONS:
                return String.valueOf(c.countDocuments(gte("n", r.nextInt(100)),
                        new CountOptions().skip(r.nextInt(3)).limit(1 + r.nextInt(10))));
            case ESTIMATED_COUNT:
                return String.valueOf(c.estimatedDocumentCount());
            case DISTINCT:
                return sorted(c.distinct("g", Integer.class).into(new ArrayList<>()), String::valueOf);
            case DISTINCT_FILTERED:
                return sorted(c.distinct("tags", eq("g", r.nextInt(5)), String.class).into(new ArrayList<>()),
                        Function.identity());
            case AGGREGATE_GROUP:
                return json(c.aggregate(List.of(Aggregates.match(gte("n", r.nextInt(50))),
                        Aggregates.group("$g", Accumulators.sum("total", "$n"), Accumulators.sum("count", 1)),
                        Aggregates.sort(Sorts.ascending("_id")))).into(new ArrayList<>()));
            case AGGREGATE_LOOKUP:
                return json(c.aggregate(List.of(Aggregates.match(eq("g", r.nextInt(5))),
                        Aggregates.sort(Sorts.ascending("_id")), Aggregates.limit(5),
                        Aggregates.lookup("tags", "g", "_id", "tag"))).into(new ArrayList<>()));
            case INSERT_ONE:
                return c.insertOne(item(r, id)).toString();
            case INSERT_MANY:
                return c.insertMany(List.of(item(r, id), item(r, r.nextInt(KEY_SPACE)))).toString();
            case UPDATE_ONE: {
                Bson update = switch (r.nextInt(3)) {
                    case 0 -> Updates.set("n", r.nextInt(100));
                    case 1 -> Updates.inc("n", 1 + r.nextInt(5));
                    default -> Updates.push("tags", "t" + r.nextInt(6));
                };
                return c.updateOne(eq("_id", id), update).toString();
            }
            case UPSERT:
                return c.updateOne(eq("_id", id), Updates.combine(Updates.set("g", r.nextInt(5)),
                        Updates.set("n", r.nextInt(100))), new UpdateOptions().upsert(true)).toString();
            case UPDATE_MANY:
                return c.updateMany(eq("g", r.nextInt(5)), Updates.inc("n", 1)).toString();
            case REPLACE_ONE:
                return c.replaceOne(eq("_id", id), item(r, id), new ReplaceOptions().upsert(r.nextBoolean()))
                        .toString();
            case DELETE_ONE:
                return c.deleteOne(eq("_id", id)).toString();
            case DELETE_MANY:
                return c.deleteMany(and(eq("g", r.nextInt(5)), gte("n", 80))).toString();
            case FIND_ONE_AND_UPDATE:
                return json(c.findOneAndUpdate(eq("_id", id), Updates.inc("n", 3),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
            case FIND_ONE_AND_REPLACE:
                return json(c.findOneAndReplace(eq("_id", id), item(r, id),
                        new FindOneAndReplaceOptions().returnDocument(ReturnDocument.BEFORE)));
            case FIND_ONE_AND_DELETE:
                return json(c.findOneAndDelete(eq("_id", id)));
            case BULK_WRITE: {
                List<WriteModel<Document>> models = List.of(
                        new InsertOneModel<>(item(r, KEY_SPACE + r.nextInt(KEY_SPACE))),
                        new UpdateOneModel<>(eq("_id", id), Updates.set("s", "bulk-" + r.nextInt(9))),
                        new DeleteOneModel<>(eq("_id", r.nextInt(KEY_SPACE))));
                return c.bulkWrite(models).toString();
            }
            case FIND_FILTERED:
                // Random filters, pinned to ids in every form MongoDB compares by value, or not pinned.
                return json(c.find(DifferentialWorkload.filter(r)).sort(Sorts.ascending("_id")).into(new ArrayList<>()));
            case BULK_RANDOM: {
                List<WriteModel<Document>> models = new ArrayList<>();
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    models.add(DifferentialWorkload.writeModel(r));
                }
                return c.bulkWrite(models).toString();
            }
            case WRITE_TAGS:
                return s.tags().updateOne(eq("_id", r.nextInt(5)), Updates.set("label", "L" + r.nextInt(100)))
                        .toString();
            case DROP:
                c.drop();
                return "dropped";
            default:
                throw new AssertionError(op);
        }
    }

    private static String json(Document d) {
        return d == null ? "null" : d.toJson();
    }

    private static String json(List<Document> docs) {
        StringBuilder out = new StringBuilder("[");
        for (Document d : docs) {
            out.append(d.toJson()).append(',');
        }
        return out.append(']').toString();
    }

    private static <T> String sorted(List<T> values, Function<T, String> text) {
        return values.stream().map(text).sorted().toList().toString();
    }
}

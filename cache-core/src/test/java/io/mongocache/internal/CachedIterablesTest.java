package io.mongocache.internal;

import static com.mongodb.client.model.Filters.eq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.mongodb.CursorType;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Collation;
import io.mongocache.CachedAggregateIterable;
import io.mongocache.CachedCollection;
import io.mongocache.CachedDistinctIterable;
import io.mongocache.CachedFindIterable;
import io.mongocache.MongoCache;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three cached iterables over a fake driver collection: each implements every method of its interface itself
 * (none falls to the unknown-method path, which would make the read bypass the cache), the options they share
 * reach MongoDB, and their keys are exactly those of before the shared options moved into
 * {@link AbstractCachedIterable}.
 */
class CachedIterablesTest {
    private static final Collation FRENCH = Collation.builder().locale("fr").build();

    private DefaultMongoCache cache;
    private FakeDriverCollection driver;
    private CachedCollection<Document> cached;

    @BeforeEach
    void setUp() {
        cache = (DefaultMongoCache) MongoCache.builder().build();
        driver = new FakeDriverCollection(() -> 0);
        cached = cache.wrap(driver.collection());
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    @Test
    void shouldImplementEveryMethodOfTheDriversIterables() {
        TreeSet<String> missing = new TreeSet<>();
        Map<Class<?>, Class<?>> implementations = Map.of(CachedFindIterable.class, CachedFindIterableImpl.class,
                CachedAggregateIterable.class, CachedAggregateIterableImpl.class,
                CachedDistinctIterable.class, CachedDistinctIterableImpl.class);
        implementations.forEach((api, implementation) -> {
            for (Method method : api.getMethods()) {
                if (!method.isBridge() && !Modifier.isStatic(method.getModifiers())
                        && !implementsExactly(implementation, method)) {
                    missing.add(implementation.getSimpleName() + ": " + method.getReturnType().getSimpleName() + " "
                            + method.getName() + Arrays.toString(method.getParameterTypes()));
                }
            }
        });
        assertEquals(new TreeSet<>(), missing, "methods the generated class would dispatch as unknown");
    }

    /** Whether the class or a superclass has a concrete method of the same name, parameters and return type. */
    private static boolean implementsExactly(Class<?> implementation, Method method) {
        for (Class<?> c = implementation; c != null; c = c.getSuperclass()) {
            for (Method declared : c.getDeclaredMethods()) {
                if (declared.getName().equals(method.getName()) && declared.getReturnType() == method.getReturnType()
                        && Arrays.equals(declared.getParameterTypes(), method.getParameterTypes())
                        && !Modifier.isAbstract(declared.getModifiers())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void shouldPassTheSharedOptionsOfEachIterableToMongoDB() {
        Document hint = new Document("a", 1);
        CachedFindIterable<Document> find = cached.find(eq("a", 1)).maxTime(5, TimeUnit.SECONDS).batchSize(7)
                .collation(FRENCH).comment("why").hint(hint).hintString("a_1")
                .timeoutMode(TimeoutMode.CURSOR_LIFETIME).comment(new BsonInt32(3)).noCache();
        CachedAggregateIterable<Document> aggregate = cached.aggregate(List.of(Aggregates.match(eq("a", 1))))
                .maxTime(5, TimeUnit.SECONDS).batchSize(7).collation(FRENCH).comment("why").hint(hint)
                .hintString("a_1").timeoutMode(TimeoutMode.CURSOR_LIFETIME).comment(new BsonInt32(3)).noCache();
        CachedDistinctIterable<Integer> distinct = cached.distinct("a", Integer.class).maxTime(5, TimeUnit.SECONDS)
                .batchSize(7).collation(FRENCH).comment("why").hint(hint).hintString("a_1")
                .timeoutMode(TimeoutMode.CURSOR_LIFETIME).comment(new BsonInt32(3)).noCache();
        for (Runnable read : List.<Runnable>of(find::first, aggregate::first, distinct::first)) {
            driver.calls.clear();
            read.run();
            assertEquals(List.of(5_000_000_000L, TimeUnit.NANOSECONDS), arguments("maxTime"));
            assertEquals(List.of(7), arguments("batchSize"));
            assertEquals(List.of(FRENCH), arguments("collation"));
            assertEquals(List.of(new BsonInt32(3)), arguments("comment"), "the last comment wins");
            assertEquals(List.of(hint), arguments("hint"));
            assertEquals(List.of("a_1"), arguments("hintString"));
            assertEquals(List.of(TimeoutMode.CURSOR_LIFETIME), arguments("timeoutMode"));
            assertEquals(1, driver.callsOf("first").size(), "then the read ran on MongoDB");
        }
    }

    private List<Object> arguments(String method) {
        List<FakeDriverCollection.Call> calls = driver.callsOf(method);
        assertEquals(1, calls.size(), method + " set once");
        return Arrays.asList(calls.get(0).arguments());
    }

    /** Keys with every option each iterable has, as digests computed before the shared options moved. */
    @Test
    void shouldKeepTheKeysOfBeforeTheSharedOptionsMoved() {
        Bson hint = new Document("a", 1);
        CachedFindIterable<Document> find = cached.find(eq("a", 1)).projection(new Document("a", 1))
                .sort(new Document("b", -1)).skip(2).limit(3).collation(FRENCH).hint(hint).hintString("a_1")
                .min(new Document("a", 0)).max(new Document("a", 9)).let(new Document("x", 1)).returnKey(false)
                .showRecordId(true).partial(true).allowDiskUse(true).cursorType(CursorType.NonTailable)
                .maxTime(1, TimeUnit.SECONDS).batchSize(5).comment("c").maxAwaitTime(1, TimeUnit.SECONDS)
                .noCursorTimeout(true).timeoutMode(TimeoutMode.ITERATION);
        CachedAggregateIterable<Document> aggregate = cached.aggregate(List.of(Aggregates.match(eq("a", 1))))
                .allowDiskUse(true).collation(FRENCH).hint(hint).hintString("a_1").let(new Document("x", 1))
                .maxTime(1, TimeUnit.SECONDS).batchSize(5).comment("c").maxAwaitTime(1, TimeUnit.SECONDS)
                .bypassDocumentValidation(true).timeoutMode(TimeoutMode.ITERATION);
        CachedDistinctIterable<Integer> distinct = cached.distinct("a", eq("b", 2), Integer.class)
                .collation(FRENCH).hint(hint).hintString("a_1").maxTime(1, TimeUnit.SECONDS).batchSize(5)
                .comment("c").timeoutMode(TimeoutMode.ITERATION);
        assertEquals("298755f169f690187455af2c2c02882b", digest(find, false), "find");
        assertEquals("222493ecb372dd18caff19d6472c2e35", digest(find, true), "find.first");
        assertEquals("e13de5f1356a3fa07d2ce2913e22b845", digest(aggregate, false), "aggregate");
        assertEquals("996b735507ea34c868cadb2a40ac0c26", digest(distinct, false), "distinct");
    }

    @Test
    void shouldKeyCollationAndHintsButNotWhatCannotChangeTheResult() {
        String base = digest(cached.find(eq("a", 1)), false);
        assertEquals(base, digest(cached.find(eq("a", 1)).maxTime(1, TimeUnit.SECONDS).batchSize(2).comment("c")
                .timeoutMode(TimeoutMode.ITERATION), false));
        assertNotEquals(base, digest(cached.find(eq("a", 1)).collation(FRENCH), false));
        assertNotEquals(base, digest(cached.find(eq("a", 1)).hint(new Document("a", 1)), false));
        assertNotEquals(base, digest(cached.find(eq("a", 1)).hintString("a_1"), false));
    }

    private static String digest(Object iterable, boolean first) {
        return ((AbstractCachedIterable<?, ?>) iterable).key(first).digest();
    }
}

package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Collation;
import io.mongocache.CachedCollection;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

/**
 * The routing table against the driver's interface, by reflection: every method of {@code MongoCollection} (and of
 * {@code CachedCollection}) is listed, typed in {@link CachedCollectionImpl} exactly where its kind says, and every
 * row names a method the driver has. A driver that adds a method fails the first test until someone classifies it
 * (or lists it as {@link MethodKind#UNKNOWN} on purpose).
 */
class CollectionRoutesTest {

    private static List<Method> collectionMethods() {
        List<Method> methods = new ArrayList<>();
        for (Method method : CachedCollection.class.getMethods()) {
            if (!Modifier.isStatic(method.getModifiers())) {
                methods.add(method);
            }
        }
        return methods;
    }

    private static String describe(Method method) {
        return method.getName() + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList();
    }

    @Test
    void shouldClassifyEveryMethodOfTheDriversCollection() {
        TreeSet<String> unlisted = new TreeSet<>();
        for (Method method : collectionMethods()) {
            if (CollectionRoutes.classify(method) == null) {
                unlisted.add(describe(method));
            }
        }
        assertEquals(new TreeSet<>(), unlisted, "methods the routing table does not list: each would get the "
                + "unknown-method rule; classify it in CollectionRoutes, or list it there as UNKNOWN on purpose");
        assertTrue(collectionMethods().size() >= 140, "the driver's interface was walked");
    }

    @Test
    void shouldImplementExactlyTheTypedKindsAndLeaveTheRestToTheDispatcher() throws NoSuchMethodException {
        TreeSet<String> wrong = new TreeSet<>();
        for (Method method : collectionMethods()) {
            MethodKind kind = CollectionRoutes.classify(method);
            Method implementation = CachedCollectionImpl.class.getMethod(method.getName(), method.getParameterTypes());
            boolean implemented = !Modifier.isAbstract(implementation.getModifiers());
            if (kind != null && kind.typed() != implemented) {
                wrong.add(describe(method) + " is " + kind + " but " + (implemented ? "implemented" : "abstract"));
            }
        }
        assertEquals(new TreeSet<>(), wrong);
    }

    @Test
    void shouldListOnlyMethodsTheDriverHas() {
        TreeSet<String> missing = new TreeSet<>();
        for (CollectionRoutes.Row row : CollectionRoutes.table()) {
            for (List<Class<?>> shape : row.shapes()) {
                if (!declared(row.name(), shape)) {
                    missing.add(row.name() + shape);
                }
            }
        }
        assertEquals(new TreeSet<>(), missing, "rows that name no method of the collection interface");
    }

    private static boolean declared(String name, List<Class<?>> shape) {
        try {
            CachedCollection.class.getMethod(name, shape.toArray(new Class<?>[0]));
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @Test
    void shouldDeriveTheKindOfEverySessionOverload() throws NoSuchMethodException {
        Class<?> s = ClientSession.class;
        assertEquals(MethodKind.PASS_THROUGH_READ, classify("find", s, Bson.class), "sessions bypass the cache");
        assertEquals(MethodKind.PASS_THROUGH_READ, classify("countDocuments", s, Bson.class));
        assertEquals(MethodKind.PIPELINE, classify("aggregate", s, List.class), "$out still invalidates");
        assertEquals(MethodKind.FILTERED_WRITE, classify("updateOne", s, Bson.class, Bson.class));
        assertEquals(MethodKind.RESULT_WRITE, classify("insertOne", s, Object.class));
        assertEquals(MethodKind.NAMESPACE_WRITE, classify("drop", s));
        assertEquals(MethodKind.ANY_NAMESPACE_WRITE, classify("mapReduce", s, String.class, String.class));
        for (Method method : collectionMethods()) {
            Class<?>[] parameters = method.getParameterTypes();
            if (parameters.length > 0 && parameters[0] == ClientSession.class) {
                Method plain = CachedCollection.class.getMethod(method.getName(),
                        Arrays.copyOfRange(parameters, 1, parameters.length));
                assertEquals(CollectionRoutes.classify(plain).withSession(), CollectionRoutes.classify(method),
                        describe(method));
            }
        }
    }

    private static MethodKind classify(String name, Class<?>... parameters) throws NoSuchMethodException {
        return CollectionRoutes.classify(MongoCollection.class.getMethod(name, parameters));
    }

    /** A newer driver's collection, with methods the table cannot know. */
    interface NewerCollection {
        void compact(Bson filter);

        List<String> listShards();
    }

    @Test
    void shouldGiveMethodsTheTableDoesNotListTheUnknownRule() throws NoSuchMethodException {
        Method compact = NewerCollection.class.getMethod("compact", Bson.class);
        assertNull(CollectionRoutes.classify(compact));
        CollectionRoutes.Route route = CollectionRoutes.route(compact);
        assertEquals(MethodKind.UNKNOWN, route.kind());
        assertFalse(CollectionRoutes.READ_ONLY_NAMES.contains("compact"), "so it invalidates its namespace");
        assertFalse(CollectionRoutes.READ_ONLY_NAMES.contains("listShards"), "exact names only, like before");
    }

    @Test
    void shouldReadTheCollationAndUpsertOfEveryFilteredWritesOptions() throws ReflectiveOperationException {
        Collation french = Collation.builder().locale("fr").build();
        int optionClasses = 0;
        for (CollectionRoutes.Row row : CollectionRoutes.table()) {
            if (row.kind() != MethodKind.FILTERED_WRITE) {
                continue;
            }
            for (List<Class<?>> shape : row.shapes()) {
                Class<?> last = shape.get(shape.size() - 1);
                if (!last.getSimpleName().endsWith("Options")) {
                    continue;
                }
                optionClasses++;
                Object options = last.getConstructor().newInstance();
                last.getMethod("collation", Collation.class).invoke(options, french);
                assertSame(french, CollectionWrites.FilteredOptions.of(options).collation(), last.getSimpleName());
                Method upsert;
                try {
                    upsert = last.getMethod("upsert", boolean.class);
                } catch (NoSuchMethodException noUpsert) {
                    assertFalse(CollectionWrites.FilteredOptions.of(options).upsert(), last.getSimpleName());
                    continue;
                }
                assertFalse(CollectionWrites.FilteredOptions.of(options).upsert(), last.getSimpleName());
                upsert.invoke(options, true);
                assertTrue(CollectionWrites.FilteredOptions.of(options).upsert(), last.getSimpleName());
            }
        }
        assertEquals(11, optionClasses, "every filtered write has an overload with options");
    }
}

package io.mongocache.internal;

import static io.mongocache.internal.MethodKind.ANY_NAMESPACE_WRITE;
import static io.mongocache.internal.MethodKind.CACHED_READ;
import static io.mongocache.internal.MethodKind.FILTERED_WRITE;
import static io.mongocache.internal.MethodKind.NAMESPACE_WRITE;
import static io.mongocache.internal.MethodKind.PASS_THROUGH_READ;
import static io.mongocache.internal.MethodKind.PIPELINE;
import static io.mongocache.internal.MethodKind.RESULT_WRITE;
import static io.mongocache.internal.MethodKind.SETTINGS;
import static io.mongocache.internal.MethodKind.UNKNOWN;
import static io.mongocache.internal.MethodKind.VIEW;

import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.CreateIndexOptions;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.DropCollectionOptions;
import com.mongodb.client.model.DropIndexOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * The routing table of {@link io.mongocache.CachedCollection}: every method of {@code MongoCollection} (and of
 * {@code CachedCollection}), by name and parameter shape, with its {@link MethodKind}. The kind says whether
 * {@link CachedCollectionImpl} implements the method itself or the generated subclass dispatches it to
 * {@link CollectionWrites}, and how its invalidation is computed. Shapes are listed without a leading
 * {@code ClientSession}: the session overload of each is derived ({@link MethodKind#withSession}).
 *
 * <p>A method the table does not list — one a newer driver adds — gets the {@link MethodKind#UNKNOWN} rule: it
 * passes through and invalidates the namespace unless its name is in {@link #READ_ONLY_NAMES}. A few are listed
 * with that kind on purpose. {@code CollectionRoutesTest} walks the driver's interface and fails on a method the
 * table does not list, so a driver upgrade makes someone decide.
 *
 * <p>Concurrency: immutable. The routes of an interface are built once per class ({@link ClassValue}) and shared.
 */
final class CollectionRoutes {

    /** The unknown-method rule: names known to read only. Any other unknown method is assumed to write. */
    static final Set<String> READ_ONLY_NAMES = Set.of("getNamespace", "getDocumentClass", "getCodecRegistry",
            "getReadPreference", "getWriteConcern", "getReadConcern", "getTimeout", "listIndexes",
            "listSearchIndexes", "watch", "explain", "toString", "hashCode", "equals");

    private static final Class<?> DOCUMENT = Object.class; // a TDocument parameter, erased
    private static final Class<?> BSON = Bson.class;
    private static final Class<?> LIST = List.class;
    private static final Class<?> CLASS = Class.class;
    private static final Class<?> STRING = String.class;

    private static final List<Row> TABLE = List.of(
            // kind               method                    parameter shapes (a leading ClientSession is derived)
            row(CACHED_READ,      "find",                   p(), p(CLASS), p(BSON), p(BSON, CLASS)),
            row(CACHED_READ,      "countDocuments",         p(), p(BSON), p(BSON, CountOptions.class)),
            row(CACHED_READ,      "estimatedDocumentCount", p(), p(EstimatedDocumentCountOptions.class)),
            row(CACHED_READ,      "distinct",               p(STRING, CLASS), p(STRING, BSON, CLASS)),
            row(PIPELINE,         "aggregate",              p(LIST), p(LIST, CLASS)),

            row(SETTINGS,         "getNamespace",           p()),
            row(SETTINGS,         "getDocumentClass",       p()),
            row(SETTINGS,         "getCodecRegistry",       p()),
            row(SETTINGS,         "getReadPreference",      p()),
            row(SETTINGS,         "getWriteConcern",        p()),
            row(SETTINGS,         "getReadConcern",         p()),
            row(SETTINGS,         "getTimeout",             p(TimeUnit.class)),
            row(SETTINGS,         "unwrap",                 p()),
            row(VIEW,             "withDocumentClass",      p(CLASS)),
            row(VIEW,             "withCodecRegistry",      p(CodecRegistry.class)),
            row(VIEW,             "withReadPreference",     p(ReadPreference.class)),
            row(VIEW,             "withWriteConcern",       p(WriteConcern.class)),
            row(VIEW,             "withReadConcern",        p(ReadConcern.class)),
            row(VIEW,             "withTimeout",            p(long.class, TimeUnit.class)),
            row(VIEW,             "noCache",                p()),
            row(VIEW,             "cacheTTL",               p(Duration.class)),
            row(VIEW,             "db",                     p(STRING)),

            row(PASS_THROUGH_READ, "watch",                 p(), p(CLASS), p(LIST), p(LIST, CLASS)),
            row(PASS_THROUGH_READ, "listIndexes",           p(), p(CLASS)),

            row(RESULT_WRITE,     "insertOne",              p(DOCUMENT), p(DOCUMENT, InsertOneOptions.class)),
            row(RESULT_WRITE,     "insertMany",             p(LIST), p(LIST, InsertManyOptions.class)),
            row(RESULT_WRITE,     "bulkWrite",              p(LIST), p(LIST, BulkWriteOptions.class)),
            row(FILTERED_WRITE,   "deleteOne",              p(BSON), p(BSON, DeleteOptions.class)),
            row(FILTERED_WRITE,   "deleteMany",             p(BSON), p(BSON, DeleteOptions.class)),
            row(FILTERED_WRITE,   "replaceOne",             p(BSON, DOCUMENT), p(BSON, DOCUMENT, ReplaceOptions.class)),
            row(FILTERED_WRITE,   "updateOne",              p(BSON, BSON), p(BSON, BSON, UpdateOptions.class),
                                                            p(BSON, LIST), p(BSON, LIST, UpdateOptions.class)),
            row(FILTERED_WRITE,   "updateMany",             p(BSON, BSON), p(BSON, BSON, UpdateOptions.class),
                                                            p(BSON, LIST), p(BSON, LIST, UpdateOptions.class)),
            row(FILTERED_WRITE,   "findOneAndDelete",       p(BSON), p(BSON, FindOneAndDeleteOptions.class)),
            row(FILTERED_WRITE,   "findOneAndReplace",      p(BSON, DOCUMENT),
                                                            p(BSON, DOCUMENT, FindOneAndReplaceOptions.class)),
            row(FILTERED_WRITE,   "findOneAndUpdate",       p(BSON, BSON), p(BSON, LIST),
                                                            p(BSON, BSON, FindOneAndUpdateOptions.class),
                                                            p(BSON, LIST, FindOneAndUpdateOptions.class)),
            row(NAMESPACE_WRITE,  "drop",                   p(), p(DropCollectionOptions.class)),
            row(NAMESPACE_WRITE,  "createIndex",            p(BSON), p(BSON, IndexOptions.class)),
            row(NAMESPACE_WRITE,  "createIndexes",          p(LIST), p(LIST, CreateIndexOptions.class)),
            row(NAMESPACE_WRITE,  "dropIndex",              p(STRING), p(STRING, DropIndexOptions.class),
                                                            p(BSON), p(BSON, DropIndexOptions.class)),
            row(NAMESPACE_WRITE,  "dropIndexes",            p(), p(DropIndexOptions.class)),
            row(NAMESPACE_WRITE,  "renameCollection",       p(MongoNamespace.class),
                                                            p(MongoNamespace.class, RenameCollectionOptions.class)),
            row(ANY_NAMESPACE_WRITE, "mapReduce",           p(STRING, STRING), p(STRING, STRING, CLASS)),

            // Atlas Search indexes change no document. Left to the unknown-method rule on purpose, so that the
            // contract test (shouldInvalidateOnMethodsTheProxyDoesNotKnow) runs that rule on real driver methods.
            row(UNKNOWN,          "createSearchIndex",      p(BSON), p(STRING, BSON)),
            row(UNKNOWN,          "createSearchIndexes",    p(LIST)),
            row(UNKNOWN,          "updateSearchIndex",      p(STRING, BSON)),
            row(UNKNOWN,          "dropSearchIndex",        p(STRING)),
            row(UNKNOWN,          "listSearchIndexes",      p(), p(CLASS)));

    /** (name, parameter types without a leading session) → kind. */
    private static final Map<Signature, MethodKind> KINDS = index(TABLE);

    private static final ClassValue<Map<Method, Route>> ROUTES = new ClassValue<>() {
        @Override
        protected Map<Method, Route> computeValue(Class<?> type) {
            Map<Method, Route> routes = new HashMap<>();
            for (Method method : type.getMethods()) {
                if (!Modifier.isStatic(method.getModifiers())) {
                    routes.put(method, Route.of(method));
                }
            }
            return Map.copyOf(routes);
        }
    };

    private CollectionRoutes() {}

    /**
     * The kind the table gives this method, its session overload derived; null if the table does not list it (it
     * then gets the {@link MethodKind#UNKNOWN} rule).
     */
    static @Nullable MethodKind classify(Method method) {
        Class<?>[] parameters = method.getParameterTypes();
        boolean session = parameters.length > 0 && parameters[0] == ClientSession.class;
        MethodKind kind = KINDS.get(new Signature(method.getName(),
                List.of(session ? Arrays.copyOfRange(parameters, 1, parameters.length) : parameters)));
        return kind == null || !session ? kind : kind.withSession();
    }

    /** The route of a method the generated subclass dispatched. */
    static Route route(Method method) {
        Route route = ROUTES.get(method.getDeclaringClass()).get(method);
        return route != null ? route : Route.of(method);
    }

    /** Resolves the routes of the driver's collection now (a method handle each), not on the first write. */
    static void warmUp() {
        ROUTES.get(MongoCollection.class);
    }

    /** The table's rows, for the test that checks each names a method the driver has. */
    static List<Row> table() {
        return TABLE;
    }

    /**
     * How one method runs when dispatched.
     *
     * @param call the driver's method as {@code (Object target, Object[] arguments) -> Object}; null for typed
     *     kinds, which are never dispatched
     */
    record Route(MethodKind kind, String name, boolean session, @Nullable MethodHandle call) {

        static Route of(Method method) {
            MethodKind listed = classify(method);
            MethodKind kind = listed == null ? UNKNOWN : listed;
            Class<?>[] parameters = method.getParameterTypes();
            boolean session = parameters.length > 0 && parameters[0] == ClientSession.class;
            return new Route(kind, method.getName(), session, kind.typed() ? null : handle(method));
        }

        /** The arguments of the operation itself: those after a leading session. */
        Object[] operands(Object[] arguments) {
            return session ? Arrays.copyOfRange(arguments, 1, arguments.length) : arguments;
        }

        /** Calls the method on the driver's collection with these arguments (the session, if any, included). */
        @Nullable Object invoke(Object target, Object[] arguments) {
            try {
                return (Object) call.invokeExact(target, arguments);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                // The driver declares no checked exception; one thrown anyway is not swallowed.
                throw new IllegalStateException(t);
            }
        }

        private static MethodHandle handle(Method method) {
            MethodHandle handle;
            try {
                handle = MethodHandles.publicLookup().unreflect(method);
            } catch (IllegalAccessException notPublic) {
                // Not reachable from every module (a method of a non-public interface): as the driver allows.
                try {
                    method.setAccessible(true);
                    handle = MethodHandles.lookup().unreflect(method);
                } catch (IllegalAccessException | RuntimeException e) {
                    throw new IllegalStateException("cannot call " + method + " on the driver's collection", e);
                }
            }
            return handle.asType(handle.type().generic()).asSpreader(Object[].class, method.getParameterCount());
        }
    }

    /** A row of the table: one method name, its kind, and its parameter shapes. */
    record Row(MethodKind kind, String name, List<List<Class<?>>> shapes) {}

    private record Signature(String name, List<Class<?>> parameters) {}

    @SafeVarargs
    @SuppressWarnings("varargs") // the shapes are only read
    private static Row row(MethodKind kind, String name, List<Class<?>>... shapes) {
        return new Row(kind, name, List.of(shapes));
    }

    private static List<Class<?>> p(Class<?>... parameters) {
        return List.of(parameters);
    }

    private static Map<Signature, MethodKind> index(List<Row> rows) {
        Map<Signature, MethodKind> kinds = new HashMap<>();
        for (Row row : rows) {
            for (List<Class<?>> shape : row.shapes()) {
                if (kinds.put(new Signature(row.name(), shape), row.kind()) != null) {
                    throw new IllegalStateException("the routing table lists " + row.name() + shape + " twice");
                }
            }
        }
        return Map.copyOf(kinds);
    }
}

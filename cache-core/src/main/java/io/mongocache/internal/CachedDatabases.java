package io.mongocache.internal;

import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.MongoIterable;
import io.mongocache.CachedDatabase;
import io.mongocache.invalidation.Invalidation;
import io.mongocache.invalidation.PipelineAnalysis;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * {@link CachedDatabase} as a JDK dynamic proxy over the driver's database: {@code getCollection} and the
 * {@code with…} methods wrap what they return; the few database-level methods that can change data invalidate after
 * they ran (rules on {@link CachedDatabase}); everything else passes through. A proxy rather than a hand-written
 * class so that methods a newer driver adds pass through by name, like the collection's routing table does.
 *
 * <p>Session overloads (a leading {@code ClientSession}) invalidate the same way, inside the session's write scope
 * so that {@code MongoCache.afterTransaction} repeats them.
 *
 * <p>Concurrency: stateless handlers over thread-safe driver objects.
 */
final class CachedDatabases {
    /** Commands whose name says they only read (lower case). Anything else run through {@code runCommand} may write. */
    static final Set<String> READ_ONLY_COMMANDS = Set.of("ping", "hello", "ismaster", "buildinfo", "serverstatus",
            "dbstats", "collstats", "datasize", "listcollections", "listindexes", "explain", "count", "distinct",
            "find", "getmore", "killcursors", "connectionstatus", "hostinfo", "getparameter", "currentop",
            "getlasterror", "getlog", "listdatabases", "listcommands", "profile", "validate", "top",
            "replsetgetstatus", "getcmdlineopts", "features", "whatsmyuri", "endsessions", "lockinfo",
            "listsearchindexes", "aggregate");
    /** Write commands whose first value names the one collection they change. */
    private static final Set<String> ONE_COLLECTION_WRITES = Set.of("insert", "update", "delete", "findandmodify",
            "drop", "create", "createindexes", "dropindexes", "collmod", "compact", "converttocapped");
    /** Database methods that pass through untouched (they neither change data nor return something to wrap). */
    private static final Set<String> PASS_THROUGH = Set.of("getName", "getCodecRegistry", "getReadPreference",
            "getWriteConcern", "getReadConcern", "getTimeout", "listCollectionNames", "listCollections", "watch");

    /** {@code equals}, {@code hashCode} and {@code toString} of a proxy: identity, and {@code description}. */
    private static Object objectMethod(Object proxy, Method method, Object[] a, String description) {
        return switch (method.getName()) {
            case "equals" -> proxy == a[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> description;
        };
    }

    /** Calls {@code method} on {@code target}, rethrowing what it threw as itself. */
    private static @Nullable Object invoke(Method method, Object target, Object[] a) throws Throwable {
        try {
            return method.invoke(target, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** {@code CachedDatabase}'s covariant overrides, resolved to the {@code MongoDatabase} methods they narrow. */
    private static final Map<Method, Method> DRIVER_METHODS = new ConcurrentHashMap<>();

    private CachedDatabases() {}

    private static Method driverMethod(Method method) {
        if (method.getDeclaringClass() != CachedDatabase.class) {
            return method;
        }
        return DRIVER_METHODS.computeIfAbsent(method, m -> {
            try {
                return MongoDatabase.class.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("CachedDatabase." + m.getName() + " narrows no MongoDatabase method",
                        e);
            }
        });
    }

    static CachedDatabase wrap(DefaultMongoCache cache, MongoDatabase database) {
        if (database instanceof CachedDatabase cached) {
            Handler handler = Proxy.isProxyClass(cached.getClass())
                    && Proxy.getInvocationHandler(cached) instanceof Handler h ? h : null;
            if (handler != null && handler.cache == cache) {
                return cached;
            }
            throw new IllegalArgumentException("database " + database.getName() + " is already wrapped by another "
                    + "MongoCache: a second layer would not see the first one's writes and serve stale data; wrap "
                    + "the driver's database once, with one cache");
        }
        return (CachedDatabase) Proxy.newProxyInstance(CachedDatabase.class.getClassLoader(),
                new Class<?>[] {CachedDatabase.class}, new Handler(cache, database));
    }

    private record Handler(DefaultMongoCache cache, MongoDatabase delegate) implements InvocationHandler {
        @Override
        public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
            Object[] a = args == null ? new Object[0] : args;
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, a, "CachedDatabase[" + delegate.getName() + "]");
            }
            if (name.equals("unwrap") && a.length == 0) {
                return delegate;
            }
            cache.checkOpen(delegate.getName());
            ClientSession session = a.length > 0 && a[0] instanceof ClientSession s ? s : null;
            Object result = call(method, a);
            if (result instanceof MongoCollection<?> collection) {
                return cache.wrap(collection);
            }
            if (result instanceof MongoDatabase database) {
                return wrap(cache, database);
            }
            if (PASS_THROUGH.contains(name)) {
                return result;
            }
            switch (name) {
                case "drop" -> invalidate(session, List.of(Invalidation.everything()));
                case "createCollection", "createView" -> invalidate(session,
                        List.of(namespace(String.valueOf(a[session == null ? 0 : 1]))));
                case "runCommand" -> invalidate(session, commandWrites(delegate.getName(), ((Bson) a[session == null ? 0 : 1])
                        .toBsonDocument(BsonDocument.class, delegate.getCodecRegistry())));
                case "aggregate" -> {
                    Invalidation write = pipelineWrite(a[session == null ? 0 : 1]);
                    if (write != null) {
                        return afterTerminals(result, AggregateIterable.class, session, write);
                    }
                }
                default -> {
                    if (!name.startsWith("get") && !name.startsWith("list")) {
                        invalidate(session, List.of(Invalidation.everything()));
                    }
                }
            }
            return result;
        }

        private @Nullable Object call(Method method, Object[] a) throws Throwable {
            return CachedDatabases.invoke(driverMethod(method), delegate, a);
        }

        private Invalidation namespace(String collection) {
            return Invalidation.namespace(delegate.getName() + "." + collection);
        }

        private void invalidate(@Nullable ClientSession session, List<Invalidation> invalidations) {
            Runnable run = () -> invalidations.forEach(cache::invalidate);
            if (session == null) {
                run.run();
            } else {
                cache.sessionWrites().within(session, run);
            }
        }

        private @Nullable Invalidation pipelineWrite(Object pipeline) {
            List<BsonDocument> stages = new ArrayList<>();
            for (Object stage : (List<?>) pipeline) {
                stages.add(((Bson) stage).toBsonDocument(BsonDocument.class, delegate.getCodecRegistry()));
            }
            return PipelineAnalysis.analyze(delegate.getName(), "$cmd.aggregate", stages).write();
        }

        /**
         * The iterable of a writing database aggregate: every terminal invalidates its target once it ran
         * ({@code iterator}/{@code cursor} once the cursor opened, which is when the server runs the pipeline);
         * fluent setters return the proxy, and {@code map} a proxy of the mapped iterable.
         */
        private Object afterTerminals(Object iterable, Class<?> type, @Nullable ClientSession session,
                Invalidation write) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                Object[] a = args == null ? new Object[0] : args;
                if (m.getDeclaringClass() == Object.class) {
                    return objectMethod(p, m, a, "CachedDatabase.aggregate[" + write + "]");
                }
                Object r = CachedDatabases.invoke(m, iterable, a);
                if (r == iterable) {
                    return p;
                }
                if (r instanceof MongoIterable<?> && m.getReturnType().isInterface()
                        && MongoIterable.class.isAssignableFrom(m.getReturnType())) {
                    return afterTerminals(r, m.getReturnType(), session, write);
                }
                invalidate(session, List.of(write));
                return r;
            });
        }
    }

    /**
     * What a command run through {@code runCommand} may have changed: nothing for a read-only command or a reading
     * aggregate, the named collection for a write command on one collection, both namespaces of a rename, the
     * target of {@code $out}/{@code $merge}, and everything for any other command.
     */
    static List<Invalidation> commandWrites(String database, BsonDocument doc) {
        if (doc.isEmpty()) {
            return List.of();
        }
        String name = doc.getFirstKey().toLowerCase(Locale.ROOT);
        BsonValue first = doc.get(doc.getFirstKey());
        if (name.equals("aggregate")) {
            BsonValue pipeline = doc.get("pipeline");
            if (pipeline == null || !pipeline.isArray()) {
                return List.of();
            }
            List<BsonDocument> stages = new ArrayList<>();
            for (BsonValue stage : pipeline.asArray()) {
                if (!stage.isDocument()) {
                    return List.of(Invalidation.everything());
                }
                stages.add(stage.asDocument());
            }
            String on = first.isString() ? first.asString().getValue() : "$cmd.aggregate";
            Invalidation write = PipelineAnalysis.analyze(database, on, stages).write();
            return write == null ? List.of() : List.of(write);
        }
        if (READ_ONLY_COMMANDS.contains(name)) {
            return List.of();
        }
        if (ONE_COLLECTION_WRITES.contains(name) && first.isString()) {
            return List.of(Invalidation.namespace(database + "." + first.asString().getValue()));
        }
        if (name.equals("renamecollection") && first.isString() && doc.isString("to")) {
            return List.of(Invalidation.namespace(first.asString().getValue()),
                    Invalidation.namespace(doc.getString("to").getValue()));
        }
        return List.of(Invalidation.everything());
    }
}

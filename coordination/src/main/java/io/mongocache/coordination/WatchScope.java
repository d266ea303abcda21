package io.mongocache.coordination;

import com.mongodb.MongoNamespace;
import com.mongodb.annotations.Immutable;
import io.mongocache.common.Checks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the leader's change streams cover: listed collections, or whole databases.
 *
 * <p>A database is watched with one database-level stream where the server has them (MongoDB 4.0 and later;
 * the coordinator probes once). Where it does not — the in-process test server accepts the stream but sends no
 * document events on it — each of the database's collections gets its own stream, and the collection list is
 * re-read every {@code collectionRefresh}; a collection found later is flushed once right after its stream
 * opens, so writes made before that are not served stale.
 */
@Immutable
public final class WatchScope {
    private final List<MongoNamespace> collections;
    private final List<String> databases;

    private WatchScope(List<MongoNamespace> collections, List<String> databases) {
        this.collections = List.copyOf(collections);
        this.databases = List.copyOf(databases);
    }

    /**
     * Watches these collections, each named {@code "database.collection"}.
     *
     * @throws IllegalArgumentException if none is given, or a name is not {@code database.collection} with a valid
     *     database name
     */
    public static WatchScope collections(String... namespaces) {
        if (namespaces == null || namespaces.length == 0) {
            throw new IllegalArgumentException("namespaces: at least one \"database.collection\" is required");
        }
        Set<MongoNamespace> list = new LinkedHashSet<>();
        for (String name : namespaces) {
            if (name == null || name.indexOf('.') <= 0 || name.endsWith(".")) {
                throw new IllegalArgumentException("namespaces: '" + name
                        + "' is not of the form \"database.collection\"");
            }
            Checks.databaseName("namespaces: the database of '" + name + "'", name.substring(0, name.indexOf('.')));
            try {
                list.add(new MongoNamespace(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("namespaces: '" + name + "' is not a valid namespace: "
                        + e.getMessage(), e);
            }
        }
        return new WatchScope(new ArrayList<>(list), List.of());
    }

    /**
     * Watches every collection of these databases, including collections created later.
     *
     * @throws IllegalArgumentException if none is given, or a name is not a valid database name (empty, 64 UTF-8
     *     bytes or more, or with any of {@code / \ . " $}, a space or NUL)
     */
    public static WatchScope databases(String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("databases: at least one database name is required");
        }
        Set<String> list = new LinkedHashSet<>();
        for (String name : names) {
            list.add(Checks.databaseName("databases", name));
        }
        return new WatchScope(List.of(), new ArrayList<>(list));
    }

    /**
     * The collections listed (empty for a database scope). Not named {@code collections()}: a no-argument call
     * {@code WatchScope.collections()} must reach the static factory (and its "at least one" check), not an
     * instance accessor.
     */
    public List<MongoNamespace> namespaces() {
        return collections;
    }

    /**
     * The databases listed (empty for a collection scope). Not named {@code databases()}, for the same reason as
     * {@link #namespaces()}.
     */
    public List<String> databaseNames() {
        return databases;
    }

    @Override
    public String toString() {
        return databases.isEmpty() ? "collections" + collections : "databases" + databases;
    }
}

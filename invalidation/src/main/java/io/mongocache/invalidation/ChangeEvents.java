package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Turns a change event — the raw document MongoDB emits — into the invalidations a write through the proxy would
 * have made. Pure: no I/O.
 *
 * <ul>
 *   <li>{@code insert}, {@code update}, {@code replace}, {@code delete} with a usable {@code documentKey._id}: that
 *       document's point reads and the namespace's non-point reads ({@link Invalidation.Kind#DOCUMENTS}).
 *   <li>The same without a usable {@code _id} (the in-process test server puts the update itself in
 *       {@code documentKey}): the whole namespace.
 *   <li>{@code drop}: the namespace; {@code rename}: both namespaces; {@code dropDatabase}, and events without a
 *       namespace: everything. These, and {@code invalidate}, also end the stream: it must be reopened.
 *   <li>Any other operation type with a namespace (index changes, {@code modify}, types a newer server adds):
 *       the namespace — safe when unsure.
 * </ul>
 *
 * @see <a href="https://www.mongodb.com/docs/manual/reference/change-events/">change events</a>
 */
public final class ChangeEvents {

    /**
     * What one event means for the cache.
     *
     * @param invalidations what to invalidate, in order
     * @param reopen whether the stream is over (drop, rename, dropDatabase, invalidate) and must be reopened
     */
    @Immutable
    public record Translation(List<Invalidation> invalidations, boolean reopen) {
        /** @throws IllegalArgumentException if {@code invalidations} is null */
        public Translation {
            if (invalidations == null) {
                throw new IllegalArgumentException("invalidations must not be null");
            }
            invalidations = List.copyOf(invalidations);
        }
    }

    private ChangeEvents() {}

    /** What a change event, as the raw document the server sent, means for the cache. */
    public static Translation translate(BsonDocument event) {
        String type = event.containsKey("operationType") && event.get("operationType").isString()
                ? event.getString("operationType").getValue() : "";
        String ns = namespace(event.get("ns"));
        switch (type) {
            case "insert", "update", "replace", "delete" -> {
                if (ns == null) {
                    return new Translation(List.of(Invalidation.everything()), false);
                }
                BsonValue id = usableId(event.get("documentKey"));
                return new Translation(List.of(id == null ? Invalidation.namespace(ns)
                        : Invalidation.documentsWithIds(ns, List.of(id))), false);
            }
            case "drop" -> {
                return new Translation(List.of(ns == null ? Invalidation.everything() : Invalidation.namespace(ns)),
                        true);
            }
            case "rename" -> {
                String to = namespace(event.get("to"));
                if (ns == null || to == null) {
                    return new Translation(List.of(Invalidation.everything()), true);
                }
                return new Translation(List.of(Invalidation.namespace(ns), Invalidation.namespace(to)), true);
            }
            case "dropDatabase", "invalidate" -> {
                return new Translation(List.of(ns == null || type.equals("dropDatabase") ? Invalidation.everything()
                        : Invalidation.namespace(ns)), true);
            }
            default -> {
                return new Translation(List.of(ns == null ? Invalidation.everything() : Invalidation.namespace(ns)),
                        false);
            }
        }
    }

    /** {@code {db, coll}} as {@code db.coll}; null when the collection is not named. */
    private static @Nullable String namespace(@Nullable BsonValue value) {
        if (value == null || !value.isDocument()) {
            return null;
        }
        BsonDocument ns = value.asDocument();
        BsonValue db = ns.get("db");
        BsonValue coll = ns.get("coll");
        if (db == null || !db.isString() || coll == null || !coll.isString()) {
            return null;
        }
        return db.asString().getValue() + "." + coll.asString().getValue();
    }

    /**
     * The {@code _id} of {@code documentKey} if it names one document: present, and not an operator document
     * (which is what a server that puts the update spec there produces), and a plain value
     * ({@link FilterAnalysis#plainValue}). Sharded collections add the shard key next to {@code _id}; the
     * {@code _id} alone still names the document.
     */
    private static @Nullable BsonValue usableId(@Nullable BsonValue documentKey) {
        if (documentKey == null || !documentKey.isDocument()) {
            return null;
        }
        BsonDocument key = documentKey.asDocument();
        for (String field : key.keySet()) {
            if (field.startsWith("$")) {
                return null;
            }
        }
        BsonValue id = key.get("_id");
        return id != null && FilterAnalysis.plainValue(id) ? id : null;
    }
}

package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.bson.BsonValue;

/**
 * What a write made stale, in the form nodes exchange: a whole namespace, or some documents of it named by their
 * canonical ids ({@link DocumentId}), or everything.
 *
 * @param kind what is invalidated
 * @param namespace {@code database.collection}; empty for {@link Kind#EVERYTHING}
 * @param ids the documents, for {@link Kind#DOCUMENTS} (distinct, in first-seen order); empty otherwise
 */
@Immutable
public record Invalidation(Kind kind, String namespace, List<DocumentId> ids) {

    /** The scope of an invalidation. */
    public enum Kind {
        /** Every cached result of the namespace. */
        NAMESPACE,
        /** Point reads of the named documents, and every cached result of the namespace that is not a point read. */
        DOCUMENTS,
        /** Every cached result of every namespace. */
        EVERYTHING
    }

    /**
     * @throws IllegalArgumentException if an argument is null, or the ids do not fit the kind
     */
    public Invalidation {
        if (kind == null || namespace == null || ids == null) {
            throw new IllegalArgumentException("kind, namespace and ids must not be null");
        }
        ids = List.copyOf(new LinkedHashSet<>(ids));
        if ((kind == Kind.DOCUMENTS) == ids.isEmpty()) {
            throw new IllegalArgumentException("ids must be non-empty exactly for DOCUMENTS, but " + kind + " had "
                    + ids.size());
        }
        if ((kind == Kind.EVERYTHING) != namespace.isEmpty()) {
            throw new IllegalArgumentException("namespace must be empty exactly for EVERYTHING, but " + kind
                    + " had '" + namespace + "'");
        }
    }

    /** Every cached result of {@code namespace}. */
    public static Invalidation namespace(String namespace) {
        return new Invalidation(Kind.NAMESPACE, namespace, List.of());
    }

    /** Point reads of the documents with these canonical ids, and the namespace's non-point reads. */
    public static Invalidation documents(String namespace, Collection<DocumentId> ids) {
        return new Invalidation(Kind.DOCUMENTS, namespace, List.copyOf(ids));
    }

    /** Point reads of the documents with these {@code _id} values, and the namespace's non-point reads. */
    public static Invalidation documentsWithIds(String namespace, Collection<? extends BsonValue> ids) {
        List<DocumentId> canonical = new ArrayList<>(ids.size());
        for (BsonValue id : ids) {
            canonical.add(DocumentId.of(id));
        }
        return new Invalidation(Kind.DOCUMENTS, namespace, canonical);
    }

    /** Every cached result of every namespace. */
    public static Invalidation everything() {
        return new Invalidation(Kind.EVERYTHING, "", List.of());
    }

    @Override
    public String toString() {
        return kind == Kind.DOCUMENTS ? "Invalidation{" + namespace + " " + ids.size() + " document(s)}"
                : "Invalidation{" + kind + " " + namespace + "}";
    }
}

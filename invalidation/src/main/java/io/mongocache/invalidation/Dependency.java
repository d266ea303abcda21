package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * One version a cached result depends on: a namespace's namespace-wide version ({@link Kind#NAMESPACE}), its
 * any-document version ({@link Kind#ANY_DOCUMENT}, bumped by every write of documents), or the version of one
 * document ({@link Kind#DOCUMENT}, named by its canonical id). A point read depends on NAMESPACE and its documents;
 * every other read on NAMESPACE and ANY_DOCUMENT. An {@link Invalidation} makes stale exactly the dependencies
 * {@link #staleAfter} names, so a read is invalidated by a write exactly when the two share one.
 *
 * @param namespace {@code database.collection}
 * @param kind which version
 * @param id the document, for {@link Kind#DOCUMENT}; null otherwise
 */
@Immutable
public record Dependency(String namespace, Kind kind, @Nullable DocumentId id) {

    /** Which version of a namespace. */
    public enum Kind {
        /** Bumped by namespace-wide invalidations only. */
        NAMESPACE,
        /** Bumped by every invalidation of documents of the namespace. */
        ANY_DOCUMENT,
        /** Bumped by invalidations naming this document. */
        DOCUMENT
    }

    /**
     * @throws IllegalArgumentException if an argument is null, or the id does not fit the kind
     */
    public Dependency {
        if (namespace == null || kind == null || (kind == Kind.DOCUMENT) != (id != null)) {
            throw new IllegalArgumentException("namespace and kind must not be null and id must be given exactly for"
                    + " DOCUMENT, but " + kind + " of '" + namespace + "' had " + id);
        }
    }

    /** The namespace-wide version. */
    public static Dependency namespaceWide(String namespace) {
        return new Dependency(namespace, Kind.NAMESPACE, null);
    }

    /** The version every write of a document of the namespace bumps. */
    public static Dependency anyDocument(String namespace) {
        return new Dependency(namespace, Kind.ANY_DOCUMENT, null);
    }

    /** The version of one document. */
    public static Dependency document(String namespace, DocumentId id) {
        return new Dependency(namespace, Kind.DOCUMENT, id);
    }

    /** What a read of the whole namespace (not pinned to ids) depends on. */
    public static Dependency[] wholeNamespace(String namespace) {
        return new Dependency[] {namespaceWide(namespace), anyDocument(namespace)};
    }

    /** What a read of these documents only (a filter pinned to their ids) depends on; duplicates count once. */
    public static Dependency[] points(String namespace, Collection<? extends BsonValue> ids) {
        Set<DocumentId> distinct = new LinkedHashSet<>();
        for (BsonValue id : ids) {
            distinct.add(DocumentId.of(id));
        }
        Dependency[] deps = new Dependency[distinct.size() + 1];
        deps[0] = namespaceWide(namespace);
        int i = 1;
        for (DocumentId id : distinct) {
            deps[i++] = document(namespace, id);
        }
        return deps;
    }

    /** What a read of every one of these namespaces (an aggregation's, {@link PipelineAnalysis#reads()}) depends on. */
    public static Dependency[] wholeNamespaces(Collection<String> namespaces) {
        Dependency[] deps = new Dependency[namespaces.size() * 2];
        int i = 0;
        for (String ns : namespaces) {
            deps[i++] = namespaceWide(ns);
            deps[i++] = anyDocument(ns);
        }
        return deps;
    }

    /**
     * The dependencies an invalidation makes stale: the namespace-wide version for {@link Invalidation.Kind#NAMESPACE};
     * the any-document version and each document's for {@link Invalidation.Kind#DOCUMENTS}; none for
     * {@link Invalidation.Kind#EVERYTHING}, which retires every dependency at once (a cache keeps one global version
     * for it).
     */
    public static List<Dependency> staleAfter(Invalidation invalidation) {
        String ns = invalidation.namespace();
        return switch (invalidation.kind()) {
            case NAMESPACE -> List.of(namespaceWide(ns));
            case DOCUMENTS -> {
                List<Dependency> deps = new ArrayList<>(invalidation.ids().size() + 1);
                deps.add(anyDocument(ns));
                for (DocumentId id : invalidation.ids()) {
                    deps.add(document(ns, id));
                }
                yield deps;
            }
            case EVERYTHING -> List.of();
        };
    }
}

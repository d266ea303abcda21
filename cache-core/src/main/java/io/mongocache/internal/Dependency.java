package io.mongocache.internal;

import io.mongocache.spi.DocumentId;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One version a cached result depends on: a namespace's namespace-wide version ({@link #NAMESPACE}), its
 * any-document version ({@link #ANY}, bumped by every write), or the version of one document ({@link #DOCUMENT},
 * named by its canonical id). A point read depends on NAMESPACE and its documents; every other read on NAMESPACE
 * and ANY. Also the key of the version's cell in {@link Versions} and of its token in Redis.
 */
record Dependency(String namespace, byte kind, @Nullable DocumentId id) {
    static final byte NAMESPACE = 't';
    static final byte ANY = 'a';
    static final byte DOCUMENT = 'i';

    static Dependency namespaceWide(String namespace) {
        return new Dependency(namespace, NAMESPACE, null);
    }

    static Dependency anyDocument(String namespace) {
        return new Dependency(namespace, ANY, null);
    }

    static Dependency document(String namespace, DocumentId id) {
        return new Dependency(namespace, DOCUMENT, id);
    }

    static Dependency[] wholeNamespace(String namespace) {
        return new Dependency[] {namespaceWide(namespace), anyDocument(namespace)};
    }

    static Dependency[] points(String namespace, List<DocumentId> ids) {
        Dependency[] deps = new Dependency[ids.size() + 1];
        deps[0] = namespaceWide(namespace);
        for (int i = 0; i < ids.size(); i++) {
            deps[i + 1] = document(namespace, ids.get(i));
        }
        return deps;
    }

    static Dependency[] wholeNamespaces(Collection<String> namespaces) {
        Dependency[] deps = new Dependency[namespaces.size() * 2];
        int i = 0;
        for (String ns : namespaces) {
            deps[i++] = namespaceWide(ns);
            deps[i++] = anyDocument(ns);
        }
        return deps;
    }
}

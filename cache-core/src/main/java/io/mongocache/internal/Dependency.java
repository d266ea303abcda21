package io.mongocache.internal;

/**
 * One version a cached result depends on: a namespace's namespace-wide version ({@link #NAMESPACE}), its
 * any-document version ({@link #ANY}, bumped by every write), or one of its id stripes (0 … STRIPES-1).
 * A point read depends on NAMESPACE and the stripes of its ids; every other read on NAMESPACE and ANY.
 */
record Dependency(String namespace, int slot) {
    static final int NAMESPACE = -1;
    static final int ANY = -2;

    static Dependency[] wholeNamespace(String namespace) {
        return new Dependency[] {new Dependency(namespace, NAMESPACE), new Dependency(namespace, ANY)};
    }

    static Dependency[] points(String namespace, int[] stripes) {
        Dependency[] deps = new Dependency[stripes.length + 1];
        deps[0] = new Dependency(namespace, NAMESPACE);
        for (int i = 0; i < stripes.length; i++) {
            deps[i + 1] = new Dependency(namespace, stripes[i]);
        }
        return deps;
    }

    static Dependency[] wholeNamespaces(java.util.Collection<String> namespaces) {
        Dependency[] deps = new Dependency[namespaces.size() * 2];
        int i = 0;
        for (String ns : namespaces) {
            deps[i++] = new Dependency(ns, NAMESPACE);
            deps[i++] = new Dependency(ns, ANY);
        }
        return deps;
    }
}

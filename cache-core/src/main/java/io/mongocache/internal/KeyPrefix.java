package io.mongocache.internal;

import java.util.Arrays;

/**
 * The leading part every key of one collection view, operation and result class shares — namespace, operation,
 * result class, read preference, read concern — as canonical BSON elements, encoded once per view. Keys hold their
 * prefix by reference, so a hit neither re-encodes, hashes nor compares it when both keys come from the same view
 * (the common case); keys from two views of one collection still compare equal byte for byte.
 */
final class KeyPrefix {
    final String namespace;
    final String operation;
    final Class<?> resultClass;
    final byte[] elements;
    final int hash;

    KeyPrefix(String namespace, String operation, Class<?> resultClass, byte[] elements) {
        this.namespace = namespace;
        this.operation = operation;
        this.resultClass = resultClass;
        this.elements = elements;
        this.hash = CacheKey.hash(elements, 0, elements.length);
    }

    boolean sameAs(KeyPrefix other) {
        return this == other || (hash == other.hash && Arrays.equals(elements, other.elements));
    }
}

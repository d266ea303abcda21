package io.mongocache.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The identity of one cached result: the canonical BSON bytes of (namespace, operation, result class, every
 * result-affecting option), compared byte for byte because MongoDB treats field order as meaningful. It also
 * knows the versions the result depends on ({@link Dependency}), computed only when a read misses: a hit checks
 * the stamp its entry holds and needs no analysis.
 */
public final class CacheKey {
    private static final HexFormat HEX = HexFormat.of();

    private final String namespace;
    private final byte[] bytes;
    private final int hash;
    private final @Nullable Supplier<Dependency[]> dependencySource;
    private volatile Dependency @Nullable [] dependencies;
    private @Nullable String digest;

    CacheKey(String namespace, Supplier<Dependency[]> dependencies, byte[] bytes) {
        this.namespace = namespace;
        this.dependencySource = dependencies;
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    CacheKey(String namespace, Dependency[] dependencies, byte[] bytes) {
        this.namespace = namespace;
        this.dependencySource = null;
        this.dependencies = dependencies;
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The namespace ({@code db.collection}) this result is stored and counted under. */
    public String namespace() {
        return namespace;
    }

    /** Every version this result depends on (computed once; a race computes equal arrays). */
    Dependency[] dependencies() {
        Dependency[] d = dependencies;
        if (d == null) {
            d = java.util.Objects.requireNonNull(dependencySource).get();
            dependencies = d;
        }
        return d;
    }

    /** The canonical bytes. Callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** A 128-bit hex digest (SHA-256, truncated) of the canonical bytes: the Redis key suffix. */
    public String digest() {
        String d = digest;
        if (d == null) {
            try {
                byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
                d = HEX.formatHex(sha, 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
            digest = d;
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof CacheKey other && hash == other.hash && Arrays.equals(bytes, other.bytes));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "CacheKey{" + namespace + ", " + bytes.length + " bytes, " + digest() + '}';
    }
}

package io.mongocache.internal;

import io.mongocache.invalidation.Dependency;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The identity of one cached result: the canonical BSON of (namespace, operation, result class, read preference,
 * read concern — the view's shared {@link KeyPrefix}) followed by every result-affecting option, compared byte for
 * byte because MongoDB treats field order as meaningful. It also knows the versions the result depends on
 * ({@link Dependency}), computed only when a read misses: a hit checks the stamp its entry holds and needs no
 * analysis.
 */
public final class CacheKey {
    private static final HexFormat HEX = HexFormat.of();
    /** One SHA-256 instance per thread: looking the algorithm up costs more than hashing a short key. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final KeyPrefix prefix;
    private final byte[] bytes;
    private final int hash;
    private final @Nullable Supplier<Dependency[]> dependencySource;
    private volatile Dependency @Nullable [] dependencies;
    private @Nullable String digest;

    CacheKey(KeyPrefix prefix, Supplier<Dependency[]> dependencies, byte[] bytes) {
        this.prefix = prefix;
        this.dependencySource = dependencies;
        this.bytes = bytes;
        this.hash = 31 * prefix.hash + hash(bytes, 0, bytes.length);
    }

    CacheKey(KeyPrefix prefix, Dependency[] dependencies, byte[] bytes) {
        this.prefix = prefix;
        this.dependencySource = null;
        this.dependencies = dependencies;
        this.bytes = bytes;
        this.hash = 31 * prefix.hash + hash(bytes, 0, bytes.length);
    }

    /** A fast hash of a byte range, eight bytes at a time (not cryptographic: the L1 map's hash). */
    static int hash(byte[] b, int from, int to) {
        long h = 0x9E3779B97F4A7C15L ^ (to - from);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            h = (h ^ (long) LONGS.get(b, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        for (; i < to; i++) {
            h = (h ^ b[i]) * 0x94D049BB133111EBL;
        }
        h ^= h >>> 32;
        return (int) h;
    }

    /** The namespace ({@code db.collection}) this result is stored and counted under. */
    public String namespace() {
        return prefix.namespace;
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

    /** The canonical bytes after the prefix: the options document. Callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** How many canonical bytes the key has in all (prefix and options). */
    int length() {
        return prefix.elements.length + bytes.length;
    }

    /** A 128-bit hex digest (SHA-256, truncated) of the whole canonical key: the Redis key suffix. */
    public String digest() {
        String d = digest;
        if (d == null) {
            MessageDigest sha = SHA256.get();
            sha.update(prefix.elements);
            sha.update(bytes);
            d = HEX.formatHex(sha.digest(), 0, 16);
            digest = d;
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof CacheKey other && hash == other.hash && Arrays.equals(bytes, other.bytes)
                && prefix.sameAs(other.prefix));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "CacheKey{" + prefix.namespace + ", " + length() + " bytes, " + digest() + '}';
    }
}

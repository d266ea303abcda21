package io.mongocache.spi;

import com.mongodb.annotations.Immutable;
import java.util.Arrays;

/**
 * What a write made stale, in the form nodes exchange: a whole namespace, or some documents of it named by their
 * id stripes (see {@link IdStripes}), or everything.
 *
 * @param kind what is invalidated
 * @param namespace {@code database.collection}; empty for {@link Kind#EVERYTHING}
 * @param stripes the id stripes, for {@link Kind#DOCUMENTS}; empty otherwise
 */
@Immutable
public record Invalidation(Kind kind, String namespace, int[] stripes) {

    /** The scope of an invalidation. */
    public enum Kind {
        /** Every cached result of the namespace. */
        NAMESPACE,
        /** Point reads of the named documents, and every cached result of the namespace that is not a point read. */
        DOCUMENTS,
        /** Every cached result of every namespace. */
        EVERYTHING
    }

    public Invalidation {
        stripes = stripes.clone();
    }

    public static Invalidation namespace(String namespace) {
        return new Invalidation(Kind.NAMESPACE, namespace, new int[0]);
    }

    public static Invalidation documents(String namespace, int[] stripes) {
        return new Invalidation(Kind.DOCUMENTS, namespace, stripes);
    }

    public static Invalidation everything() {
        return new Invalidation(Kind.EVERYTHING, "", new int[0]);
    }

    @Override
    public int[] stripes() {
        return stripes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Invalidation other && kind == other.kind && namespace.equals(other.namespace)
                && Arrays.equals(stripes, other.stripes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + namespace.hashCode()) + Arrays.hashCode(stripes);
    }

    @Override
    public String toString() {
        return kind == Kind.DOCUMENTS ? "Invalidation{" + namespace + " stripes " + Arrays.toString(stripes) + "}"
                : "Invalidation{" + kind + " " + namespace + "}";
    }
}

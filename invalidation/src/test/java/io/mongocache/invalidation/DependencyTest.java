package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.junit.jupiter.api.Test;

/** What reads depend on and what invalidations make stale: a read is retired exactly when the two meet. */
class DependencyTest {
    private static final String NS = "db.c";
    private static final DocumentId ONE = DocumentId.of(new BsonInt32(1));

    @Test
    void shouldMakeAPointReadDependOnTheNamespaceAndEachDistinctDocument() {
        assertEquals(List.of(Dependency.namespaceWide(NS), Dependency.document(NS, ONE)),
                List.of(Dependency.points(NS, List.of(new BsonInt32(1), new BsonInt64(1), new BsonDouble(1.0)))));
        assertEquals(List.of(Dependency.namespaceWide(NS)), List.of(Dependency.points(NS, List.of())),
                "an empty $in still depends on namespace-wide writes");
    }

    @Test
    void shouldMakeOtherReadsDependOnTheNamespaceAndAnyDocument() {
        assertEquals(List.of(Dependency.namespaceWide(NS), Dependency.anyDocument(NS)),
                List.of(Dependency.wholeNamespace(NS)));
        assertEquals(List.of(Dependency.namespaceWide("a.b"), Dependency.anyDocument("a.b"),
                Dependency.namespaceWide("a.c"), Dependency.anyDocument("a.c")),
                List.of(Dependency.wholeNamespaces(List.of("a.b", "a.c"))));
    }

    @Test
    void shouldNameWhatEachKindOfInvalidationMakesStale() {
        assertEquals(List.of(Dependency.namespaceWide(NS)), Dependency.staleAfter(Invalidation.namespace(NS)));
        assertEquals(List.of(Dependency.anyDocument(NS), Dependency.document(NS, ONE)),
                Dependency.staleAfter(Invalidation.documents(NS, List.of(ONE))));
        assertEquals(List.of(), Dependency.staleAfter(Invalidation.everything()),
                "everything retires every dependency through the cache's global version");
    }

    @Test
    void shouldRefuseAnIdThatDoesNotFitTheKind() {
        assertThrows(IllegalArgumentException.class, () -> new Dependency(NS, Dependency.Kind.DOCUMENT, null));
        assertThrows(IllegalArgumentException.class, () -> new Dependency(NS, Dependency.Kind.NAMESPACE, ONE));
        assertThrows(IllegalArgumentException.class, () -> new Dependency(null, Dependency.Kind.NAMESPACE, null));
    }
}

package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.invalidation.CollectionCollation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** Issue 10.3: a namespace's default collation is asked once, kept, and never kept from before a forget. */
class CollectionCollationsTest {
    private static final CollectionCollation CI = CollectionCollation.collated(BsonDocument.parse("{locale: 'en', strength: 2}"));
    private final AtomicLong now = new AtomicLong();
    private final CollectionCollations collations = new CollectionCollations(now::get);
    private final AtomicInteger questions = new AtomicInteger();

    private CollectionCollation of(String namespace, CollectionCollation answer) {
        return of(namespace, () -> answer);
    }

    private CollectionCollation of(String namespace, Supplier<CollectionCollation> answer) {
        return collations.of(namespace, () -> {
            questions.incrementAndGet();
            return List.of();
        }, indexes -> answer.get());
    }

    @Test
    void shouldAskTheServerOncePerNamespaceUntilTheNamespaceIsForgotten() {
        assertEquals(CI, of("db.c", CI));
        assertEquals(CI, of("db.c", CollectionCollation.SIMPLE));
        assertEquals(1, questions.get());
        collations.forget("db.c");
        assertEquals(CollectionCollation.SIMPLE, of("db.c", CollectionCollation.SIMPLE));
        assertEquals(2, questions.get());
    }

    @Test
    void shouldNotKeepAnAnswerThatRacedADropOfTheCollection() {
        CollectionCollation answered = of("db.c", () -> {
            collations.forget("db.c"); // the namespace was invalidated while listIndexes was on the wire
            return CollectionCollation.SIMPLE;
        });
        assertEquals(CollectionCollation.UNKNOWN, answered, "an answer from before the drop must not be used");
        assertEquals(CI, of("db.c", CI), "nor kept");
    }

    @Test
    void shouldAnswerUnknownWithoutWaitingWhileAnotherThreadAsks() {
        CollectionCollation nested = of("db.c", () -> {
            assertEquals(CollectionCollation.UNKNOWN, of("db.c", CI));
            return CollectionCollation.SIMPLE;
        });
        assertEquals(CollectionCollation.SIMPLE, nested);
        assertEquals(1, questions.get());
    }

    @Test
    void shouldAskAgainAfterAnUnknownOrFailedAnswerOnlyOnceItsRetryIsDue() {
        assertEquals(CollectionCollation.UNKNOWN, of("db.new", CollectionCollation.UNKNOWN));
        assertEquals(CollectionCollation.UNKNOWN, of("db.new", CI));
        now.addAndGet(CollectionCollations.UNKNOWN_RETRY.toNanos() + 1);
        assertEquals(CI, of("db.new", CI));

        assertEquals(CollectionCollation.UNKNOWN, of("db.view", () -> {
            throw new IllegalStateException("Namespace db.view is a view, not a collection");
        }));
        now.addAndGet(CollectionCollations.FAILURE_RETRY.toNanos() - Duration.ofSeconds(1).toNanos());
        assertEquals(CollectionCollation.UNKNOWN, of("db.view", CI));
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(CI, of("db.view", CI));
    }
}

package io.mongocache.invalidation;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Each write kind's invalidation, from its arguments and result alone. */
class WriteAnalysisTest {
    private static final String NS = "db.c";
    private static final WriteAnalysis PRECISE = analysis(() -> CollectionCollation.SIMPLE);

    private static WriteAnalysis analysis(Supplier<CollectionCollation> collectionDefault) {
        return WriteAnalysis.precise(NS, Document.class, MongoClientSettings.getDefaultCodecRegistry(),
                collectionDefault);
    }

    private static Invalidation ids(int... ids) {
        return Invalidation.documentsWithIds(NS, java.util.Arrays.stream(ids).mapToObj(BsonInt32::new).toList());
    }

    @Test
    void shouldInvalidateTheDocumentsAFilterPinsAndTheNamespaceOtherwise() {
        assertEquals(ids(5), PRECISE.filtered(eq("_id", 5), null));
        assertEquals(ids(1, 2), PRECISE.filtered(in("_id", 1, 2, 1.0), null), "1 and 1.0 are one document");
        assertEquals(PRECISE.whole(), PRECISE.filtered(gt("_id", 5), null));
        assertEquals(PRECISE.whole(), PRECISE.filtered(in("_id"), null), "an empty $in changes nothing, but says so"
                + " as the namespace");
        assertEquals(PRECISE.whole(), PRECISE.filtered(null, null));
        assertEquals(Invalidation.namespace(NS), PRECISE.whole());
    }

    @Test
    void shouldAskTheCollectionsDefaultCollationOnlyForStringIds() {
        WriteAnalysis collated = analysis(() -> CollectionCollation.collated(BsonDocument.parse("{locale: 'en', strength: 2}")));
        assertEquals(collated.whole(), collated.filtered(eq("_id", "ABC"), null), "'abc' may be the same document");
        WriteAnalysis neverAsked = analysis(() -> fail("a numeric id does not depend on the collation"));
        assertEquals(ids(7), neverAsked.filtered(eq("_id", 7), null));
        assertEquals(Invalidation.documentsWithIds(NS, List.of(new BsonString("ABC"))),
                neverAsked.filtered(eq("_id", "ABC"), Collation.builder().locale("simple").build()),
                "the write's own simple collation decides");
    }

    @Test
    void shouldAddTheUpsertedIdOfAnAcknowledgedUpdateResult() {
        Invalidation filtered = PRECISE.filtered(eq("_id", 5), null);
        assertEquals(ids(5), PRECISE.upserted(filtered, UpdateResult.acknowledged(1, 1L, null)));
        assertEquals(ids(5, 9), PRECISE.upserted(filtered, UpdateResult.acknowledged(0, 0L, new BsonInt32(9))));
        assertEquals(PRECISE.whole(), PRECISE.upserted(filtered, UpdateResult.unacknowledged()));
        assertEquals(PRECISE.whole(), PRECISE.upserted(filtered, new Document("_id", 5)),
                "a findOneAnd… result does not say whether it inserted");
        assertEquals(PRECISE.whole(), PRECISE.upserted(filtered, null));
        assertEquals(PRECISE.whole(), PRECISE.upserted(PRECISE.whole(), UpdateResult.acknowledged(0, 0L,
                new BsonInt32(9))), "a namespace stays a namespace");
    }

    @Test
    void shouldInvalidateInsertedIdsOfAcknowledgedInsertsOnly() {
        assertEquals(ids(3), PRECISE.inserted(InsertOneResult.acknowledged(new BsonInt32(3))));
        assertEquals(PRECISE.whole(), PRECISE.inserted(InsertOneResult.acknowledged(null)));
        assertEquals(PRECISE.whole(), PRECISE.inserted(InsertOneResult.unacknowledged()));
        assertEquals(ids(3, 4), PRECISE.insertedMany(InsertManyResult.acknowledged(Map.of(0, new BsonInt32(3),
                1, new BsonInt32(4)))));
        assertEquals(PRECISE.whole(), PRECISE.insertedMany(InsertManyResult.acknowledged(Map.of())));
        assertEquals(PRECISE.whole(), PRECISE.insertedMany(InsertManyResult.unacknowledged()));
    }

    @Test
    void shouldMakeABulkWriteAsPreciseAsItsLeastPreciseModel() {
        List<WriteModel<Document>> pinned = List.of(new InsertOneModel<>(new Document("_id", 1)),
                new UpdateOneModel<>(eq("_id", 2), Updates.set("x", 1), new UpdateOptions().upsert(true)),
                new ReplaceOneModel<>(in("_id", 3, 4), new Document("x", 1)),
                new DeleteOneModel<>(eq("_id", 5)));
        BulkWriteResult result = BulkWriteResult.acknowledged(1, 1, 1, 1,
                List.of(new BulkWriteUpsert(1, new BsonInt32(2))), List.of(new BulkWriteInsert(0, new BsonInt32(1))));
        assertEquals(ids(2, 3, 4, 5, 1), PRECISE.bulk(pinned, result));
        List<WriteModel<Document>> oneUnpinned = List.of(new DeleteOneModel<>(eq("_id", 5)),
                new DeleteManyModel<>(gt("n", 3)));
        assertEquals(PRECISE.whole(), PRECISE.bulk(oneUnpinned, BulkWriteResult.acknowledged(0, 0, 2, 0, List.of(),
                List.of())));
        assertEquals(PRECISE.whole(), PRECISE.bulk(pinned, BulkWriteResult.unacknowledged()));
        assertEquals(PRECISE.whole(), PRECISE.bulk(List.of(new InsertOneModel<>(new Document())),
                BulkWriteResult.acknowledged(1, 0, 0, 0, List.of(), List.of(new BulkWriteInsert(0, null)))),
                "an insert whose id the result does not name");
    }

    @Test
    void shouldAnswerTheNamespaceForEveryWriteWithoutPrecision() {
        WriteAnalysis whole = WriteAnalysis.wholeNamespace(NS);
        Invalidation namespace = Invalidation.namespace(NS);
        assertEquals(namespace, whole.filtered(eq("_id", 5), null));
        assertEquals(namespace, whole.upserted(whole.filtered(eq("_id", 5), null),
                UpdateResult.acknowledged(0, 0L, new BsonInt32(9))));
        assertEquals(namespace, whole.inserted(InsertOneResult.acknowledged(new BsonInt32(3))));
        assertEquals(namespace, whole.insertedMany(InsertManyResult.acknowledged(Map.of(0, new BsonInt32(3)))));
        assertEquals(namespace, whole.bulk(List.of(new DeleteOneModel<Document>(eq("_id", 5))),
                BulkWriteResult.acknowledged(0, 0, 1, 0, List.of(), List.of())));
    }

    @Test
    void shouldRepeatTheInvalidationOfUnacknowledgedWritesOnly() {
        assertTrue(WriteAnalysis.returnsBeforeApplied(WriteConcern.UNACKNOWLEDGED));
        for (WriteConcern acknowledged : List.of(WriteConcern.ACKNOWLEDGED, WriteConcern.W1, WriteConcern.MAJORITY,
                WriteConcern.W2, WriteConcern.JOURNALED)) {
            assertFalse(WriteAnalysis.returnsBeforeApplied(acknowledged), acknowledged.toString());
        }
    }

    @Test
    void shouldRefuseAnEmptyNamespace() {
        assertThrows(IllegalArgumentException.class, () -> WriteAnalysis.wholeNamespace(""));
        assertThrows(IllegalArgumentException.class, () -> WriteAnalysis.precise(NS, null,
                MongoClientSettings.getDefaultCodecRegistry(), () -> CollectionCollation.SIMPLE));
    }
}

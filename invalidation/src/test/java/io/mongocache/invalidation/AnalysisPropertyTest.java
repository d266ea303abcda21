package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.MongoClientSettings;
import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CollationStrength;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import io.mongocache.testing.DifferentialWorkload;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Decimal128;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Soundness of the analysis on the differential oracle's random filters and writes ({@link DifferentialWorkload}),
 * checked against an in-memory evaluation ({@link InMemoryMatcher}) over a random collection whose ids come in every
 * form MongoDB compares by value ({@code 5}, {@code 5L}, {@code 5.0}, {@code Decimal128("5.00")}), as strings that
 * differ only in case, and as embedded documents:
 * <ul>
 *   <li>a filter that pins ids S matches only documents whose id is in S;
 *   <li>a write's invalidation covers every document it could change (matched, inserted or upserted);
 *   <li>a read is retired (its dependencies meet what the invalidation makes stale) by every write and every change
 *       event of a document it could return.
 * </ul>
 * Each runs under binary comparison and under a case-insensitive collation (the operation's own, or the
 * collection's default). Seeded: a failure names its seed and trial, and replays.
 */
class AnalysisPropertyTest {
    private static final String NS = "db.items";
    private static final int TRIALS = 1_000;
    private static final long SEED = 20_261_122L;
    private static final Collation CASE_INSENSITIVE = Collation.builder().locale("en")
            .collationStrength(CollationStrength.SECONDARY).build();

    /** How strings compare, and where the collation comes from. */
    enum Comparison {
        BINARY, OPERATION_CASE_INSENSITIVE, DEFAULT_CASE_INSENSITIVE;

        @org.jspecify.annotations.Nullable Collation operationCollation() {
            return this == OPERATION_CASE_INSENSITIVE ? CASE_INSENSITIVE : null;
        }

        CollectionCollation collectionDefault() {
            return this == DEFAULT_CASE_INSENSITIVE ? CollectionCollation.collated(CASE_INSENSITIVE.asDocument())
                    : CollectionCollation.SIMPLE;
        }

        InMemoryMatcher matcher() {
            return new InMemoryMatcher(this != BINARY);
        }
    }

    @ParameterizedTest
    @EnumSource(Comparison.class)
    void shouldPinOnlyIdsThatCoverEveryDocumentTheFilterMatches(Comparison comparison) {
        Random r = new Random(SEED + comparison.ordinal());
        InMemoryMatcher matcher = comparison.matcher();
        int pinned = 0;
        int covered = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            List<BsonDocument> collection = collection(r);
            BsonDocument filter = DifferentialWorkload.filter(r);
            List<BsonValue> ids = FilterAnalysis.pinnedIds(filter, comparison.operationCollation(),
                    comparison::collectionDefault);
            if (ids == null) {
                continue;
            }
            pinned++;
            Set<DocumentId> allowed = canonical(ids);
            for (BsonDocument document : collection) {
                if (matcher.matches(filter, document)) {
                    covered++;
                    if (!allowed.contains(DocumentId.of(document.get("_id")))) {
                        fail(comparison + " trial " + trial + ": " + filter.toJson() + " pins " + ids + " but matches "
                                + document.get("_id"));
                    }
                }
            }
        }
        assertTrue(pinned > TRIALS / 10 && covered > TRIALS / 20, "too few pinned filters (" + pinned
                + ") or matches (" + covered + ") to test anything");
    }

    @ParameterizedTest
    @EnumSource(value = Comparison.class, names = {"BINARY", "DEFAULT_CASE_INSENSITIVE"})
    void shouldInvalidateEveryDocumentAWriteCouldChange(Comparison comparison) {
        Random r = new Random(SEED * 31 + comparison.ordinal());
        WriteAnalysis analysis = analysis(comparison);
        int precise = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            List<BsonDocument> collection = collection(r);
            Write write = simulate(DifferentialWorkload.writeModel(r), collection, comparison.matcher(), r);
            for (Invalidation invalidation : List.of(analysis.bulk(List.of(write.model), write.bulkResult),
                    write.single(analysis))) {
                if (!covers(invalidation, write.changed)) {
                    fail(comparison + " trial " + trial + ": " + write.model + " changes " + write.changed
                            + " but invalidates " + invalidation.ids() + " (" + invalidation.kind() + ")");
                }
                if (invalidation.kind() == Invalidation.Kind.DOCUMENTS) {
                    precise++;
                }
            }
        }
        assertTrue(precise > TRIALS / 10, "too few precise invalidations (" + precise + ") to test anything");
    }

    @ParameterizedTest
    @EnumSource(value = Comparison.class, names = {"BINARY", "DEFAULT_CASE_INSENSITIVE"})
    void shouldRetireEveryReadThatAWriteOrItsChangeEventCouldAffect(Comparison comparison) {
        Random r = new Random(SEED * 17 + comparison.ordinal());
        WriteAnalysis analysis = analysis(comparison);
        int checked = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            List<BsonDocument> collection = collection(r);
            BsonDocument read = DifferentialWorkload.filter(r);
            List<BsonValue> readIds = FilterAnalysis.pinnedIds(read, null, comparison::collectionDefault);
            Set<Dependency> dependencies = Set.of(FilterAnalysis.readDependencies(NS, read, null,
                    comparison::collectionDefault));
            Write write = simulate(DifferentialWorkload.writeModel(r), collection, comparison.matcher(), r);
            Invalidation invalidation = analysis.bulk(List.of(write.model), write.bulkResult);
            for (BsonValue id : write.changed) {
                // A read pinned to ids can only return documents with those ids (an _id never changes).
                if (readIds != null && !canonical(readIds).contains(DocumentId.of(id))) {
                    continue;
                }
                checked++;
                String what = comparison + " trial " + trial + ": read " + read.toJson() + ", document " + id;
                assertRetired(dependencies, invalidation, what + ", write " + write.model);
                String type = List.of("insert", "update", "replace", "delete").get(r.nextInt(4));
                BsonDocument event = new BsonDocument("operationType", new BsonString(type))
                        .append("ns", BsonDocument.parse("{db: 'db', coll: 'items'}"))
                        .append("documentKey", new BsonDocument("_id", id));
                for (Invalidation fromEvent : ChangeEvents.translate(event).invalidations()) {
                    assertRetired(dependencies, fromEvent, what + ", " + type + " event");
                }
            }
        }
        assertTrue(checked > TRIALS / 10, "too few affected reads (" + checked + ") to test anything");
    }

    private static void assertRetired(Set<Dependency> dependencies, Invalidation invalidation, String what) {
        if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
            return;
        }
        for (Dependency stale : Dependency.staleAfter(invalidation)) {
            if (dependencies.contains(stale)) {
                return;
            }
        }
        fail(what + ": the read depends on " + dependencies + " and none is made stale by " + invalidation);
    }

    private static WriteAnalysis analysis(Comparison comparison) {
        return WriteAnalysis.precise(NS, Document.class, MongoClientSettings.getDefaultCodecRegistry(),
                comparison::collectionDefault);
    }

    /** A write model, what it would change in {@code collection}, and the results the driver would return. */
    private record Write(WriteModel<Document> model, List<BsonValue> changed, BulkWriteResult bulkResult,
            @org.jspecify.annotations.Nullable Bson filter, @org.jspecify.annotations.Nullable Object singleResult,
            boolean upsert) {

        /** The invalidation of the same write made through the single-document API (insertOne, updateOne, …). */
        Invalidation single(WriteAnalysis analysis) {
            if (filter == null) {
                return analysis.inserted((InsertOneResult) singleResult);
            }
            Invalidation filtered = analysis.filtered(filter, null);
            return upsert ? analysis.upserted(filtered, singleResult) : filtered;
        }
    }

    private static Write simulate(WriteModel<Document> model, List<BsonDocument> collection, InMemoryMatcher matcher,
            Random r) {
        if (model instanceof InsertOneModel<Document> insert) {
            BsonValue id = encode(insert.getDocument()).get("_id");
            return new Write(model, List.of(id), BulkWriteResult.acknowledged(1, 0, 0, 0, List.of(),
                    List.of(new BulkWriteInsert(0, id))), null, InsertOneResult.acknowledged(id), false);
        }
        Bson filter;
        boolean upsert;
        if (model instanceof UpdateOneModel<Document> m) {
            filter = m.getFilter();
            upsert = m.getOptions().isUpsert();
        } else if (model instanceof UpdateManyModel<Document> m) {
            filter = m.getFilter();
            upsert = m.getOptions().isUpsert();
        } else if (model instanceof ReplaceOneModel<Document> m) {
            filter = m.getFilter();
            upsert = m.getReplaceOptions().isUpsert();
        } else if (model instanceof DeleteOneModel<Document> m) {
            filter = m.getFilter();
            upsert = false;
        } else if (model instanceof DeleteManyModel<Document> m) {
            filter = m.getFilter();
            upsert = false;
        } else {
            throw new IllegalArgumentException("not generated: " + model);
        }
        BsonDocument encoded = encode(filter);
        List<BsonValue> changed = new ArrayList<>();
        for (BsonDocument document : collection) {
            if (matcher.matches(encoded, document)) {
                changed.add(document.get("_id")); // a *One model may change any one of them
            }
        }
        if (upsert && changed.isEmpty()) {
            BsonValue id = upsertedId(encoded);
            changed.add(id);
            // An upsert through findOneAndUpdate/Replace returns a document (or null), which does not name the id.
            Object single = r.nextInt(3) == 0 ? null : UpdateResult.acknowledged(0, 0L, id);
            return new Write(model, changed, BulkWriteResult.acknowledged(0, 0, 0, 0,
                    List.of(new BulkWriteUpsert(0, id)), List.of()), filter, single, true);
        }
        return new Write(model, changed, BulkWriteResult.acknowledged(0, changed.size(), 0, changed.size(), List.of(),
                List.of()), filter, UpdateResult.acknowledged(changed.size(), (long) changed.size(), null), upsert);
    }

    /** The _id MongoDB gives an upserted document: the filter's _id equality, else a new ObjectId. */
    private static BsonValue upsertedId(BsonDocument filter) {
        BsonValue condition = filter.get("_id");
        if (condition != null && !(condition.isDocument() && condition.asDocument().getFirstKey().startsWith("$"))) {
            return condition;
        }
        if (condition != null && condition.asDocument().containsKey("$eq")) {
            return condition.asDocument().get("$eq");
        }
        return new BsonObjectId();
    }

    private static boolean covers(Invalidation invalidation, List<BsonValue> changed) {
        return switch (invalidation.kind()) {
            case EVERYTHING -> true;
            case NAMESPACE -> invalidation.namespace().equals(NS);
            case DOCUMENTS -> invalidation.namespace().equals(NS)
                    && new HashSet<>(invalidation.ids()).containsAll(canonical(changed));
        };
    }

    /**
     * A random collection of the oracle's documents: about half the ids, each once (canonically: one document per
     * id whatever its form), in a random form.
     */
    private static List<BsonDocument> collection(Random r) {
        List<BsonDocument> documents = new ArrayList<>();
        Set<DocumentId> taken = new HashSet<>();
        for (int id = 0; id < DifferentialWorkload.KEY_SPACE; id++) {
            if (r.nextBoolean()) {
                continue;
            }
            BsonDocument document = encode(DifferentialWorkload.item(r, id));
            BsonValue form = idForm(r, id);
            if (taken.add(DocumentId.of(form))) {
                document.put("_id", form);
                documents.add(document);
            }
        }
        return documents;
    }

    private static BsonValue idForm(Random r, int id) {
        return switch (r.nextInt(9)) {
            case 0, 1, 2 -> new BsonInt32(id);
            case 3 -> new BsonInt64(id);
            case 4 -> new BsonDouble(id);
            case 5 -> new BsonDecimal128(new Decimal128(BigDecimal.valueOf(id * 100L, 2)));
            case 6 -> new BsonString("k" + id);
            case 7 -> new BsonString("K" + id);
            default -> new BsonDocument("a", new BsonInt32(id));
        };
    }

    private static Set<DocumentId> canonical(List<BsonValue> ids) {
        Set<DocumentId> canonical = new LinkedHashSet<>();
        for (BsonValue id : ids) {
            canonical.add(DocumentId.of(id));
        }
        return canonical;
    }

    private static BsonDocument encode(Bson bson) {
        return bson.toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry());
    }
}

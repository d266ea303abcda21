package io.mongocache.invalidation;

import com.mongodb.WriteConcern;
import com.mongodb.annotations.Immutable;
import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.bson.BsonValue;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * What a write to one collection can change, as the {@link Invalidation} it must make before it returns. Pure: the
 * caller runs the write and hands over its arguments and result; the collection's default collation comes through
 * a supplier, asked only when a string id makes it matter ({@link FilterAnalysis}).
 *
 * <ul>
 *   <li>update, replace, delete and {@code findOneAnd…} with a filter that pins ids: those documents
 *       ({@link #filtered}); else the namespace. An upsert may also create a document: an {@code UpdateResult}
 *       names it ({@link #upserted}); a {@code findOneAnd…} upsert does not, so it invalidates the namespace.
 *   <li>inserts: the ids the acknowledged result names ({@link #inserted}, {@link #insertedMany}); else the namespace.
 *   <li>a bulk write: as precise as its least precise model, plus the ids its result names ({@link #bulk}).
 *   <li>a write whose result is unknown (it failed) and anything not listed here: the namespace.
 * </ul>
 * Without precision ({@link #wholeNamespace}) every answer is the namespace. Whether a write must be invalidated
 * once more later, because it may be applied after it returned, is {@link #returnsBeforeApplied}.
 */
@Immutable
public final class WriteAnalysis {
    private final String namespace;
    private final boolean precise;
    private final @Nullable Class<?> documentClass;
    private final @Nullable CodecRegistry registry;
    private final Supplier<CollectionCollation> collectionDefault;

    private WriteAnalysis(String namespace, boolean precise, @Nullable Class<?> documentClass,
            @Nullable CodecRegistry registry, Supplier<CollectionCollation> collectionDefault) {
        if (namespace == null || namespace.isEmpty()) {
            throw new IllegalArgumentException("namespace must be a non-empty 'database.collection' but was '"
                    + namespace + "'");
        }
        this.namespace = namespace;
        this.precise = precise;
        this.documentClass = documentClass;
        this.registry = registry;
        this.collectionDefault = collectionDefault;
    }

    /**
     * Per-document analysis of writes to {@code namespace}, whose filters are encoded as the collection encodes
     * them.
     *
     * @param documentClass the collection's document class
     * @param registry the collection's codec registry
     * @param collectionDefault the collection's default collation, asked only when a filter pins a string id and the
     *     write has no collation of its own
     * @throws IllegalArgumentException if an argument is null or the namespace empty
     */
    public static WriteAnalysis precise(String namespace, Class<?> documentClass, CodecRegistry registry,
            Supplier<CollectionCollation> collectionDefault) {
        if (documentClass == null || registry == null || collectionDefault == null) {
            throw new IllegalArgumentException("documentClass, registry and collectionDefault must not be null");
        }
        return new WriteAnalysis(namespace, true, documentClass, registry, collectionDefault);
    }

    /**
     * An analysis that answers the whole namespace for every write ({@code preciseInvalidation(false)}).
     *
     * @throws IllegalArgumentException if the namespace is null or empty
     */
    public static WriteAnalysis wholeNamespace(String namespace) {
        return new WriteAnalysis(namespace, false, null, null, () -> CollectionCollation.UNKNOWN);
    }

    /**
     * Whether a write made with this concern can return before the server applied it ({@code w: 0}): then a read
     * racing it may install the old value after the write's invalidation, so the invalidation must be made once
     * more later.
     */
    public static boolean returnsBeforeApplied(WriteConcern concern) {
        return !concern.isAcknowledged();
    }

    /** What any write to the namespace may have changed: everything in it. */
    public Invalidation whole() {
        return Invalidation.namespace(namespace);
    }

    /**
     * What an update, replace, delete or {@code findOneAnd…} with this filter can change (upserts aside: see
     * {@link #upserted}): the documents the filter pins under the collation the write runs with, else the namespace.
     *
     * @param collation the write's own collation, or null if it has none
     */
    public Invalidation filtered(@Nullable Bson filter, @Nullable Collation collation) {
        if (filter == null || !precise) {
            return whole();
        }
        List<BsonValue> ids = FilterAnalysis.pinnedIds(filter.toBsonDocument(documentClass, registry), collation,
                collectionDefault);
        return ids == null || ids.isEmpty() ? whole() : Invalidation.documentsWithIds(namespace, ids);
    }

    /**
     * What an upsert changed, from its result: what its filter pinned ({@link #filtered}) plus the document an
     * acknowledged {@link UpdateResult} says it inserted. Any other result — a {@code findOneAnd…}'s document or
     * null, which do not say whether a document was inserted, or an unacknowledged one — is the namespace.
     */
    public Invalidation upserted(Invalidation filtered, @Nullable Object result) {
        if (filtered.kind() != Invalidation.Kind.DOCUMENTS) {
            return filtered;
        }
        if (!(result instanceof UpdateResult update) || !update.wasAcknowledged()) {
            return whole();
        }
        BsonValue upsertedId = update.getUpsertedId();
        if (upsertedId == null) {
            return filtered;
        }
        List<DocumentId> ids = new ArrayList<>(filtered.ids());
        ids.add(DocumentId.of(upsertedId));
        return Invalidation.documents(namespace, ids);
    }

    /** What an {@code insertOne} changed: the inserted document, if the result is acknowledged and names it. */
    public Invalidation inserted(InsertOneResult result) {
        BsonValue id = result.wasAcknowledged() ? result.getInsertedId() : null;
        return id == null ? whole() : documentsOrWhole(List.of(id));
    }

    /** What an {@code insertMany} changed: the inserted documents, if the result is acknowledged. */
    public Invalidation insertedMany(InsertManyResult result) {
        return result.wasAcknowledged() ? documentsOrWhole(result.getInsertedIds().values()) : whole();
    }

    /**
     * What a bulk write changed: the documents each model's filter pins, and the ids the acknowledged result names
     * (inserts and upserts); the namespace as soon as one model is not pinned, is of a kind not known here, or an
     * insert has no id.
     */
    public Invalidation bulk(List<? extends WriteModel<?>> models, BulkWriteResult result) {
        if (!precise || !result.wasAcknowledged()) {
            return whole();
        }
        Set<DocumentId> ids = new LinkedHashSet<>();
        for (WriteModel<?> model : models) {
            if (model instanceof InsertOneModel<?>) {
                continue; // ids come from the result
            }
            Invalidation effect = modelEffect(model);
            if (effect.kind() != Invalidation.Kind.DOCUMENTS) {
                return whole();
            }
            ids.addAll(effect.ids());
        }
        for (BulkWriteInsert insert : result.getInserts()) {
            if (insert.getId() == null) {
                return whole();
            }
            ids.add(DocumentId.of(insert.getId()));
        }
        for (BulkWriteUpsert upsert : result.getUpserts()) {
            ids.add(DocumentId.of(upsert.getId()));
        }
        return ids.isEmpty() ? whole() : Invalidation.documents(namespace, ids);
    }

    /** What one filtered model can change ({@link #filtered}); the namespace for a kind not known here. */
    private Invalidation modelEffect(WriteModel<?> model) {
        if (model instanceof UpdateOneModel<?> m) {
            return filtered(m.getFilter(), m.getOptions().getCollation());
        } else if (model instanceof UpdateManyModel<?> m) {
            return filtered(m.getFilter(), m.getOptions().getCollation());
        } else if (model instanceof ReplaceOneModel<?> m) {
            return filtered(m.getFilter(), m.getReplaceOptions().getCollation());
        } else if (model instanceof DeleteOneModel<?> m) {
            return filtered(m.getFilter(), m.getOptions().getCollation());
        } else if (model instanceof DeleteManyModel<?> m) {
            return filtered(m.getFilter(), m.getOptions().getCollation());
        }
        return whole();
    }

    private Invalidation documentsOrWhole(Collection<? extends BsonValue> ids) {
        if (!precise || ids.isEmpty()) {
            return whole();
        }
        for (BsonValue id : ids) {
            if (id == null) {
                return whole();
            }
        }
        return Invalidation.documentsWithIds(namespace, ids);
    }

    @Override
    public String toString() {
        return "WriteAnalysis{" + namespace + (precise ? ", precise}" : ", whole namespace}");
    }
}

package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * What an aggregation pipeline reads and writes, by pure analysis of its stages.
 *
 * <p>Reads: the collection it runs on plus every {@code from} of {@code $lookup}/{@code $graphLookup} and every
 * {@code coll} of {@code $unionWith}, recursively through sub-pipelines and {@code $facet}. Writes: the target
 * of a final {@code $out}/{@code $merge} (every namespace when the target cannot be named). A stage outside the
 * known list makes the pipeline uncacheable — a new server stage can never produce a cached result that no write
 * invalidates.
 *
 * @param cacheable whether the result may be cached (known stages only, no write)
 * @param reads every namespace the result depends on, the pipeline's own first
 * @param write what a final {@code $out}/{@code $merge} makes stale once it ran, or null if the pipeline only reads
 */
@Immutable
public record PipelineAnalysis(boolean cacheable, Set<String> reads, @Nullable Invalidation write) {

    private static final Set<String> KNOWN_STAGES = Set.of("$match", "$project", "$addFields", "$set", "$unset",
            "$group", "$sort", "$limit", "$skip", "$unwind", "$count", "$sortByCount", "$bucket", "$bucketAuto",
            "$replaceRoot", "$replaceWith", "$redact", "$facet", "$lookup", "$graphLookup", "$unionWith",
            "$densify", "$fill", "$setWindowFields", "$geoNear", "$documents");

    /** @throws IllegalArgumentException if {@code reads} is null */
    public PipelineAnalysis {
        if (reads == null) {
            throw new IllegalArgumentException("reads must not be null");
        }
        reads = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(reads));
    }

    /**
     * Analyses a pipeline run on {@code database.collection}.
     *
     * @param stages the pipeline's stages, encoded
     */
    public static PipelineAnalysis analyze(String database, String collection, List<BsonDocument> stages) {
        Set<String> reads = new LinkedHashSet<>();
        reads.add(database + "." + collection);
        Invalidation write = null;
        boolean known = true;
        for (int i = 0; i < stages.size(); i++) {
            BsonDocument stage = stages.get(i);
            String name = stage.isEmpty() ? "" : stage.getFirstKey();
            boolean last = i == stages.size() - 1;
            if (last && (name.equals("$out") || name.equals("$merge"))) {
                String target = outputNamespace(database, name, stage.get(name));
                // A target we cannot name: treat the pipeline as writing somewhere unknown.
                write = target == null ? Invalidation.everything() : Invalidation.namespace(target);
            } else if (!collectReads(database, stage, reads)) {
                known = false;
            }
        }
        return new PipelineAnalysis(known && write == null, reads, write);
    }

    /** What a read of this pipeline's result depends on: every namespace it reads, whole. */
    public Dependency[] dependencies() {
        return Dependency.wholeNamespaces(reads);
    }

    /** Adds what one stage reads; false if the stage is unknown or malformed. */
    private static boolean collectReads(String database, BsonDocument stage, Set<String> reads) {
        if (stage.size() != 1) {
            return false;
        }
        String name = stage.getFirstKey();
        if (!KNOWN_STAGES.contains(name)) {
            return false;
        }
        BsonValue spec = stage.get(name);
        switch (name) {
            case "$lookup":
            case "$graphLookup": {
                if (!spec.isDocument()) {
                    return false;
                }
                BsonDocument doc = spec.asDocument();
                if (doc.containsKey("from")) {
                    String from = namespaceOf(database, doc.get("from"), "coll");
                    if (from == null) {
                        return false;
                    }
                    reads.add(from);
                }
                return !doc.containsKey("pipeline") || subPipeline(database, doc.get("pipeline"), reads);
            }
            case "$unionWith": {
                if (spec.isString()) {
                    reads.add(database + "." + spec.asString().getValue());
                    return true;
                }
                if (!spec.isDocument()) {
                    return false;
                }
                BsonDocument doc = spec.asDocument();
                if (doc.containsKey("coll")) {
                    String coll = namespaceOf(database, doc.get("coll"), "coll");
                    if (coll == null) {
                        return false;
                    }
                    reads.add(coll);
                }
                return !doc.containsKey("pipeline") || subPipeline(database, doc.get("pipeline"), reads);
            }
            case "$facet": {
                if (!spec.isDocument()) {
                    return false;
                }
                for (BsonValue sub : spec.asDocument().values()) {
                    if (!subPipeline(database, sub, reads)) {
                        return false;
                    }
                }
                return true;
            }
            default:
                return true;
        }
    }

    private static boolean subPipeline(String database, BsonValue pipeline, Set<String> reads) {
        if (!pipeline.isArray()) {
            return false;
        }
        for (BsonValue stage : pipeline.asArray()) {
            if (!stage.isDocument() || !collectReads(database, stage.asDocument(), reads)) {
                return false;
            }
        }
        return true;
    }

    /** A collection name, or {db, coll} document, as a namespace. */
    private static @Nullable String namespaceOf(String database, BsonValue value, String collectionField) {
        if (value.isString()) {
            return database + "." + value.asString().getValue();
        }
        if (value.isDocument()) {
            BsonDocument doc = value.asDocument();
            BsonValue coll = doc.get(collectionField);
            BsonValue db = doc.get("db");
            if (coll != null && coll.isString()) {
                String dbName = db != null && db.isString() ? db.asString().getValue() : database;
                return dbName + "." + coll.asString().getValue();
            }
        }
        return null;
    }

    private static @Nullable String outputNamespace(String database, String stage, BsonValue spec) {
        if (stage.equals("$out")) {
            return namespaceOf(database, spec, "coll");
        }
        if (spec.isString()) {
            return database + "." + spec.asString().getValue();
        }
        if (spec.isDocument() && spec.asDocument().containsKey("into")) {
            return namespaceOf(database, spec.asDocument().get("into"), "coll");
        }
        return null;
    }
}

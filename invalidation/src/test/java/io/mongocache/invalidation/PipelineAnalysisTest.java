package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class PipelineAnalysisTest {

    private static PipelineAnalysis analyze(String... stages) {
        return PipelineAnalysis.analyze("db", "orders",
                java.util.Arrays.stream(stages).map(BsonDocument::parse).toList());
    }

    @Test
    void shouldDependOnOwnNamespaceOnly() {
        PipelineAnalysis a = analyze("{$match: {x: 1}}", "{$group: {_id: '$k', n: {$sum: 1}}}");
        assertTrue(a.cacheable());
        assertEquals(Set.of("db.orders"), a.reads());
        assertNull(a.write());
        assertEquals(List.of(Dependency.wholeNamespace("db.orders")), List.of(a.dependencies()));
    }

    @Test
    void shouldDependOnLookupAndGraphLookupAndUnionWith() {
        PipelineAnalysis a = analyze("{$lookup: {from: 'users', localField: 'u', foreignField: '_id', as: 'u'}}",
                "{$graphLookup: {from: 'tree', startWith: '$p', connectFromField: 'p', connectToField: '_id', as: 't'}}",
                "{$unionWith: 'archive'}",
                "{$unionWith: {coll: 'old', pipeline: [{$lookup: {from: 'deep', pipeline: [], as: 'd'}}]}}");
        assertTrue(a.cacheable());
        assertEquals(Set.of("db.orders", "db.users", "db.tree", "db.archive", "db.old", "db.deep"), a.reads());
    }

    @Test
    void shouldDependOnNamespacesInsideFacet() {
        PipelineAnalysis a = analyze("{$facet: {a: [{$lookup: {from: 'x', pipeline: [{$unionWith: 'y'}], as: 'q'}}],"
                + " b: [{$count: 'n'}]}}");
        assertTrue(a.cacheable());
        assertEquals(Set.of("db.orders", "db.x", "db.y"), a.reads());
    }

    @Test
    void shouldReadLookupFromOtherDatabase() {
        PipelineAnalysis a = analyze("{$lookup: {from: {db: 'other', coll: 'c'}, pipeline: [], as: 'z'}}");
        assertTrue(a.reads().contains("other.c"));
    }

    @Test
    void shouldTreatOutAndMergeAsWritesToTheirTarget() {
        assertEquals(Invalidation.namespace("db.summary"), analyze("{$match: {}}", "{$out: 'summary'}").write());
        assertEquals(Invalidation.namespace("x.y"), analyze("{$out: {db: 'x', coll: 'y'}}").write());
        assertEquals(Invalidation.namespace("db.m"), analyze("{$merge: 'm'}").write());
        assertEquals(Invalidation.namespace("o.m"), analyze("{$merge: {into: {db: 'o', coll: 'm'}}}").write());
        assertFalse(analyze("{$out: 'summary'}").cacheable());
        assertEquals(Invalidation.everything(), analyze("{$merge: {into: 42}}").write(), "a target it cannot name");
    }

    @Test
    void shouldBypassUnknownStages() {
        assertFalse(analyze("{$match: {}}", "{$someFutureStage: {}}").cacheable());
        assertFalse(analyze("{$collStats: {}}").cacheable());
        assertFalse(analyze("{$lookup: {from: 'a', pipeline: [{$currentOp: {}}], as: 'x'}}").cacheable());
        assertFalse(analyze("{$match: {}, $limit: 1}").cacheable());
    }
}

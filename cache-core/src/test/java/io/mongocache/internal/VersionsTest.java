package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.DocumentId;
import io.mongocache.invalidation.Invalidation;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.junit.jupiter.api.Test;

class VersionsTest {
    private static final String NS = "db.c";

    private static Dependency[] point(int id) {
        return Dependency.points(NS, List.of(new BsonInt32(id)));
    }

    private static Invalidation write(int... ids) {
        List<org.bson.BsonValue> values = new ArrayList<>();
        for (int id : ids) {
            values.add(new BsonInt32(id));
        }
        return Invalidation.documentsWithIds(NS, values);
    }

    @Test
    void shouldInvalidateExactlyThePointReadsOfTheWrittenIds() {
        Versions versions = new Versions();
        List<Versions.Stamp> stamps = new ArrayList<>();
        for (int id = 0; id < 100_000; id++) {
            stamps.add(versions.stamp(point(id)));
        }
        Versions.Stamp scan = versions.stamp(Dependency.wholeNamespace(NS));
        versions.apply(write(7, 99_999));
        int dead = 0;
        for (int id = 0; id < stamps.size(); id++) {
            if (!stamps.get(id).isCurrent()) {
                dead++;
                assertTrue(id == 7 || id == 99_999, "id " + id + " was not written");
            }
        }
        assertEquals(2, dead, "no two distinct ids share a version");
        assertFalse(scan.isCurrent(), "a non-point read depends on every document");
    }

    @Test
    void shouldTreatNumericallyEqualIdsAsOne() {
        Versions versions = new Versions();
        Versions.Stamp read = versions.stamp(point(5));
        versions.apply(Invalidation.documentsWithIds(NS, List.of(new BsonInt64(5))));
        assertFalse(read.isCurrent());
    }

    @Test
    void shouldKillStampsOnNamespaceAndGlobalWritesOnly() {
        Versions versions = new Versions();
        Versions.Stamp read = versions.stamp(point(1));
        Versions.Stamp other = versions.stamp(Dependency.points("db.other", List.of(new BsonInt32(1))));
        versions.apply(Invalidation.namespace(NS));
        assertFalse(read.isCurrent());
        assertTrue(other.isCurrent());
        versions.bumpAll();
        assertFalse(other.isCurrent());
    }

    @Test
    void shouldGiveAFreshReadAFreshStampAfterAWriteNobodyDependedOn() {
        Versions versions = new Versions();
        versions.apply(write(3)); // no cell: nothing to bump
        Versions.Stamp read = versions.stamp(point(3));
        assertTrue(read.isCurrent());
        versions.apply(write(3));
        assertFalse(read.isCurrent());
        Versions.Stamp again = versions.stamp(point(3));
        assertFalse(again.sameAs(read), "a stamp taken after a write never matches one taken before it");
        assertTrue(versions.stamp(point(3)).sameAs(again));
    }

    @Test
    void shouldRememberItsOwnWriteOfADocumentNothingDependedOnWhateverTheGcDoes() throws InterruptedException {
        Versions versions = new Versions();
        byte[] era = {1, 1, 1, 1, 1, 1, 1, 1};
        byte[] namespace = {2, 2, 2, 2, 2, 2, 2, 2};
        byte[] written = {3, 3, 3, 3, 3, 3, 3, 3};
        // An entry of another document keeps the era's and the namespace's cells, with the tokens a lookup read.
        Versions.Stamp other = versions.stamp(point(1));
        other.remember(new byte[][] {era, namespace, {9, 9, 9, 9, 9, 9, 9, 9}});
        Dependency document3 = point(3)[1];
        versions.written(document3, written);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(10);
        }
        Versions.Stamp read = versions.stamp(point(3));
        byte[][] tokens = read.tokensAfterOwnWrite();
        assertTrue(tokens != null, "the read after this node's write of document 3 needs no lookup");
        assertArrayEquals(new byte[][] {era, namespace, written}, tokens);
        assertEquals(null, versions.stamp(point(3)).tokensAfterOwnWrite(), "only the first read claims the write");
        assertTrue(read.isCurrent(), "remembering a token is not an invalidation");
        assertTrue(other.isCurrent());
    }

    @Test
    void shouldHoldOnlyTheLastWrittenCellsStrongly() throws InterruptedException {
        Versions versions = new Versions();
        byte[] token = {4, 4, 4, 4, 4, 4, 4, 4};
        for (int id = 0; id < 20_000; id++) {
            versions.written(point(id)[1], token);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (versions.liveCells() > Versions.RECENT_WRITES && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(Versions.RECENT_WRITES, versions.liveCells(), "20,000 writes keep only the last ring's cells");
    }

    @Test
    void shouldForgetVersionsNothingDependsOn() throws InterruptedException {
        Versions versions = new Versions();
        List<Versions.Stamp> held = new ArrayList<>();
        for (int id = 0; id < 50_000; id++) {
            Versions.Stamp s = versions.stamp(point(id));
            if (id < 10) {
                held.add(s);
            }
        }
        // 50,000 point reads: 50,000 id cells and one namespace cell, until their stamps are dropped.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (versions.liveCells() > 11 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(11, versions.liveCells(), "only the cells of live stamps remain");
        versions.apply(write(3));
        assertFalse(held.get(3).isCurrent(), "a held cell still works");
        assertTrue(held.get(4).isCurrent());
    }
}

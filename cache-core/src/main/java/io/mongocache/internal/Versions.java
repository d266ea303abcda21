package io.mongocache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mongocache.invalidation.Dependency;
import io.mongocache.invalidation.Invalidation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Local versions: one cell per {@link Dependency} that some cached entry or load in flight depends on, plus one
 * global cell. A read takes a {@link Stamp} — the cells it depends on and their versions — before it queries
 * MongoDB; its entry is served only while every cell still holds the version the stamp saw. A write bumps the
 * cells of what it changed, so every older entry — including one whose load is still in flight — is unusable at
 * once, in O(written ids), without scanning the cache. Distinct ids never share a cell, at any collection size.
 *
 * <p>Memory follows live entries: the cells are held weakly here and strongly by the stamps of the entries and
 * flights that depend on them. A cell nobody holds is collected; a write to its id then finds nothing to bump,
 * which is right, since nothing cached depends on it — and the next read creates a fresh cell, so no old stamp
 * can ever match it. Beyond those, a fixed ring holds the cells of this node's last {@value #RECENT_WRITES} writes
 * (see {@link #written}).
 *
 * <p>Concurrency: cells only grow and are read with volatile semantics; the weak map is Caffeine's. A read
 * acquires its cells, then reads their versions, then queries; a write applies its change to MongoDB, then bumps
 * the cells it finds. Either the write finds the read's cell (and the read's stamp is dead), or the read created
 * its cell after the write looked — and so queried after the write was applied. Failure modes: none.
 */
final class Versions {

    /**
     * One version counter, and what this node last knew of the dependency's token in Redis: the value a lookup
     * read or a write of this node set, and whether that write is fresh (nothing can have been installed with its
     * token yet — claimed once, by the next read that depends on it).
     */
    static final class Cell {
        private static final VarHandle VERSION;
        private static final VarHandle FRESH;

        static {
            try {
                VERSION = MethodHandles.lookup().findVarHandle(Cell.class, "version", long.class);
                FRESH = MethodHandles.lookup().findVarHandle(Cell.class, "fresh", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile long version;
        private volatile byte @Nullable [] token;
        private volatile boolean fresh;

        long version() {
            return version;
        }

        void bump() {
            VERSION.getAndAdd(this, 1L);
        }
    }

    /** The cells a read depends on and the versions they held when it started. Immutable. */
    static final class Stamp {
        private final Cell[] cells;
        private final long[] seen;

        private Stamp(Cell[] cells, long[] seen) {
            this.cells = cells;
            this.seen = seen;
        }

        /** Whether no cell moved since the stamp was taken. */
        boolean isCurrent() {
            Cell[] c = cells;
            long[] s = seen;
            for (int i = 0; i < c.length; i++) {
                if (c[i].version() != s[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Remembers the Redis tokens a lookup returned, one per cell, in stamp order (era first). */
        void remember(byte[][] tokens) {
            for (int i = 0; i < cells.length && i < tokens.length; i++) {
                cells[i].token = tokens[i];
            }
        }

        /**
         * The tokens to install with, without a lookup, when this node's own write just replaced one of them (so no
         * Redis entry can be current for this read) and every other token is known; else null. Claims the write's
         * freshness, so only the first read after it skips the lookup.
         */
        byte @Nullable [][] tokensAfterOwnWrite() {
            byte[][] tokens = new byte[cells.length][];
            boolean freshFound = false;
            for (int i = 0; i < cells.length; i++) {
                byte[] t = cells[i].token;
                if (t == null) {
                    return null;
                }
                tokens[i] = t;
                freshFound |= cells[i].fresh;
            }
            if (!freshFound) {
                return null;
            }
            boolean claimed = false;
            for (Cell c : cells) {
                claimed |= c.fresh && Cell.FRESH.compareAndSet(c, true, false);
            }
            return claimed ? tokens : null;
        }

        /** Whether two stamps name the same cells at the same versions (a read may then share the other's load). */
        boolean sameAs(Stamp other) {
            if (other.cells.length != cells.length) {
                return false;
            }
            for (int i = 0; i < cells.length; i++) {
                if (other.cells[i] != cells[i] || other.seen[i] != seen[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Function<Dependency, Cell> NEW_CELL = d -> new Cell();

    /** How many of this node's most recently written cells are held strongly (a power of two). */
    static final int RECENT_WRITES = 1024;

    private final Cell global = new Cell();
    private final AtomicReferenceArray<Cell> recentWrites = new AtomicReferenceArray<>(RECENT_WRITES);
    private final AtomicInteger nextRecentWrite = new AtomicInteger();
    private final Cache<Dependency, Cell> cells = Caffeine.newBuilder().weakValues().executor(Runnable::run).build();

    /** The stamp of a read with these dependencies (and the global version), as of now. */
    Stamp stamp(Dependency[] dependencies) {
        Cell[] held = new Cell[dependencies.length + 1];
        long[] seen = new long[held.length];
        held[0] = global;
        seen[0] = global.version();
        for (int i = 0; i < dependencies.length; i++) {
            Dependency d = dependencies[i];
            Cell cell = cells.getIfPresent(d);
            if (cell == null) {
                cell = cells.get(d, NEW_CELL);
            }
            held[i + 1] = cell;
            seen[i + 1] = cell.version();
        }
        return new Stamp(held, seen);
    }

    void apply(Invalidation invalidation) {
        if (invalidation.kind() == Invalidation.Kind.EVERYTHING) {
            global.bump();
            return;
        }
        for (Dependency d : Dependency.staleAfter(invalidation)) {
            bump(d);
        }
    }

    /**
     * A write of this node replaced a dependency's token in Redis with {@code token}. The cell is created when
     * nothing held it (a document this node had not read, or whose entries are gone), so the read that follows the
     * write skips the lookup there too; the last {@value #RECENT_WRITES} written cells are held strongly, so that
     * holds whatever the GC did in between. Safe for a new cell as for an old one: a cell created now is created
     * after the write was applied, so no stamp taken on it can belong to a read that queried before the write.
     */
    void written(Dependency dependency, byte[] token) {
        Cell cell = cells.getIfPresent(dependency);
        if (cell == null) {
            cell = cells.get(dependency, NEW_CELL);
        }
        cell.token = token;
        cell.fresh = true;
        recentWrites.set(nextRecentWrite.getAndIncrement() & (RECENT_WRITES - 1), cell);
    }

    private void bump(Dependency dependency) {
        Cell cell = cells.getIfPresent(dependency);
        if (cell != null) {
            cell.bump();
        }
    }

    void bumpAll() {
        global.bump();
    }

    /** How many cells are alive now (after dropping the collected ones); for tests and memory harnesses. */
    long liveCells() {
        cells.cleanUp();
        return cells.estimatedSize();
    }
}

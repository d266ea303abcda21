package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments fail before any database is touched, with messages naming the parameter and the rule. */
class BulkTasksArgumentsTest {

    private final BulkTasks tasks = new BulkTasks(name -> {
        throw new AssertionError("no database should be resolved for bad arguments, but '" + name + "' was");
    });

    private static void assertMessage(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void constructorAndBatchSize() {
        assertMessage("databases must not be null", () -> new BulkTasks(null));
        assertMessage("documents must be > 0 but was 0", () -> tasks.batchSize(0));
        assertMessage("documents must be > 0 but was -5", () -> tasks.batchSize(-5));
        assertEquals(BulkTasks.DEFAULT_BATCH_SIZE, tasks.batchSize());
        assertEquals(1000, tasks.batchSize());
        assertEquals(5, tasks.batchSize(5).batchSize());
    }

    @Test
    void missingSourceChoice() {
        assertMessage("missingSource must not be null", () -> new BulkTasks(name -> null, name -> { }, null));
    }

    @Test
    void databaseNames() {
        assertMessage("database must not be null", () -> tasks.export(null));
        assertMessage("database must be a non-empty database name", () -> tasks.export(""));
        assertMessage("database must be a database name without any of / \\ . space \" $ or NUL, but was 'a.b'",
                () -> tasks.export("a.b"));
        assertMessage("database must be a database name without any of / \\ . space \" $ or NUL, but was 'a\\u0000'",
                () -> tasks.importInto("a\0", ""));
        assertMessage("database must be a database name of at most 63 UTF-8 bytes, but was '" + "d".repeat(64) + "'",
                () -> tasks.export("d".repeat(64)));
        assertMessage("name must not be one of the server's own databases admin, local or config, but was 'admin'",
                () -> tasks.dropDatabase("admin"));
        assertMessage("name must be a database name without any of / \\ . space \" $ or NUL, but was 'x y'",
                () -> tasks.dropDatabase("x y"));
    }

    @Test
    void streamsDataAndListeners() {
        assertMessage("data must not be null", () -> tasks.importInto("d", null));
        assertMessage("out must not be null", () -> tasks.exportTo("d", null, ProgressListener.NONE));
        assertMessage("progress must not be null", () -> tasks.exportTo("d", new ByteArrayOutputStream(), null));
        assertMessage("in must not be null", () -> tasks.importFrom("d", null, ProgressListener.NONE));
        assertMessage("progress must not be null",
                () -> tasks.importFrom("d", new ByteArrayInputStream(new byte[0]), null));
    }

    @Test
    void reportsRejectNegativeValues() {
        assertMessage("documents must be >= 0 but was -1", () -> new ImportReport(0, -1, 0, 0, Duration.ZERO));
        assertMessage("elapsed must be a non-negative duration but was null", () -> new CopyReport(0, 0, 0, 0, null));
        assertMessage("collections must be >= 0 but was -1", () -> new ExportReport(-1, 0, 0, 0, Duration.ZERO));
    }

    @Test
    void importExceptionCarriesLineAndProblem() {
        ImportException e = new ImportException(12, "malformed JSON: x");
        assertEquals(12, e.lineNumber());
        assertEquals("malformed JSON: x", e.problem());
        assertEquals("line 12: malformed JSON: x", e.getMessage());
    }
}

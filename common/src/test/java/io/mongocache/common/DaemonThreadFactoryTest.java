package io.mongocache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DaemonThreadFactoryTest {

    @Test
    void shouldMakeUnstartedDaemonThreadsOfNormalPriority() throws InterruptedException {
        Thread maker = new Thread(() -> {
            Thread t = DaemonThreadFactory.named("mongocache-test").newThread(() -> { });
            assertTrue(t.isDaemon());
            assertEquals(Thread.NORM_PRIORITY, t.getPriority());
            assertFalse(t.isAlive());
            assertEquals("mongocache-test", t.getName());
        });
        // A non-daemon thread of high priority: its children would inherit both.
        maker.setDaemon(false);
        maker.setPriority(Thread.MAX_PRIORITY);
        Throwable[] failure = new Throwable[1];
        maker.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        maker.start();
        maker.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @Test
    void shouldNameThreadsOnceOrNumbered() {
        DaemonThreadFactory named = DaemonThreadFactory.named("mongocache-reload");
        assertEquals("mongocache-reload", named.newThread(() -> { }).getName());
        assertEquals("mongocache-reload", named.newThread(() -> { }).getName());
        DaemonThreadFactory numbered = DaemonThreadFactory.numbered("mongocache-streams-");
        assertEquals("mongocache-streams-1", numbered.newThread(() -> { }).getName());
        assertEquals("mongocache-streams-2", numbered.newThread(() -> { }).getName());
        assertThrows(IllegalArgumentException.class, () -> DaemonThreadFactory.named(""));
    }
}

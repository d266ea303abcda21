package io.mongocache.pooling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import io.mongocache.pooling.TransactionSettings;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The retry rules with fake sessions and a fake clock (the in-process server has no transactions). */
class TransactionRunnerTest {
    private final AtomicLong now = new AtomicLong();
    private final List<Long> sleeps = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final AtomicInteger commitFailures = new AtomicInteger();
    private String commitLabel = "";
    private final TransactionRunner runner = new TransactionRunner(now::get, nanos -> {
        sleeps.add(nanos);
        now.addAndGet(nanos);
    }, RandomGenerator.of("L64X128MixRandom"));

    private ClientSession session() {
        boolean[] active = {false};
        return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                new Class<?>[] {ClientSession.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "startTransaction" -> {
                            active[0] = true;
                            log.add("start");
                        }
                        case "commitTransaction" -> {
                            log.add("commit");
                            now.addAndGet(Duration.ofMillis(1).toNanos());
                            if (commitFailures.getAndDecrement() > 0) {
                                throw labelled("commit failed", commitLabel);
                            }
                            active[0] = false;
                        }
                        case "abortTransaction" -> {
                            active[0] = false;
                            log.add("abort");
                        }
                        case "hasActiveTransaction" -> {
                            return active[0];
                        }
                        case "close" -> log.add("close");
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                    return null;
                });
    }

    private static MongoException labelled(String message, String label) {
        MongoException e = new MongoException(message);
        if (!label.isEmpty()) {
            e.addLabel(label);
        }
        return e;
    }

    @Test
    void shouldRetryTheBodyOnTransientErrors() {
        AtomicInteger attempts = new AtomicInteger();
        List<String> ended = new ArrayList<>();
        String result = runner.run(this::session, s -> {
            if (attempts.incrementAndGet() < 3) {
                throw labelled("write conflict", MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL);
            }
            return "ok";
        }, TransactionSettings.defaults().onEnd(s -> ended.add("end")));
        assertEquals("ok", result);
        assertEquals(3, attempts.get());
        assertEquals(List.of("start", "abort", "close", "start", "abort", "close", "start", "commit", "close"), log);
        assertEquals(3, ended.size(), "the hook runs after every attempt");
        assertEquals(2, sleeps.size());
        assertTrue(sleeps.get(0) <= Duration.ofMillis(10).toNanos() && sleeps.get(1) <= Duration.ofMillis(20).toNanos(),
                "exponential back-off with jitter: " + sleeps);
    }

    @Test
    void shouldRetryOnlyTheCommitOnUnknownCommitResult() {
        commitFailures.set(2);
        commitLabel = MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL;
        AtomicInteger bodies = new AtomicInteger();
        assertEquals(7, (int) runner.run(this::session, s -> {
            bodies.incrementAndGet();
            return 7;
        }, TransactionSettings.defaults()));
        assertEquals(1, bodies.get());
        assertEquals(List.of("start", "commit", "commit", "commit", "close"), log);
    }

    @Test
    void shouldRetryTheWholeTransactionWhenTheCommitIsTransient() {
        commitFailures.set(1);
        commitLabel = MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL;
        AtomicInteger bodies = new AtomicInteger();
        runner.run(this::session, s -> bodies.incrementAndGet(), TransactionSettings.defaults());
        assertEquals(2, bodies.get());
    }

    @Test
    void shouldNotRetryOtherErrors() {
        MongoException fatal = labelled("duplicate key", "");
        MongoException thrown = assertThrows(MongoException.class, () -> runner.run(this::session, s -> {
            throw fatal;
        }, TransactionSettings.defaults()));
        assertSame(fatal, thrown);
        assertEquals(List.of("start", "abort", "close"), log);
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void shouldGiveUpAtTheOverallTimeout() {
        AtomicInteger attempts = new AtomicInteger();
        MongoException thrown = assertThrows(MongoException.class, () -> runner.run(this::session, s -> {
            attempts.incrementAndGet();
            now.addAndGet(Duration.ofMillis(100).toNanos());
            throw labelled("conflict", MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL);
        }, TransactionSettings.defaults().timeout(Duration.ofSeconds(1)).backoff(Duration.ofMillis(10),
                Duration.ofMillis(50))));
        assertTrue(thrown.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL));
        assertTrue(attempts.get() >= 5 && attempts.get() <= 11, "attempts within one second: " + attempts.get());
        assertTrue(now.get() >= Duration.ofSeconds(1).toNanos(), "gave up only after the timeout");
        long totalSleep = sleeps.stream().mapToLong(Long::longValue).sum();
        assertTrue(totalSleep <= Duration.ofSeconds(1).toNanos(), "back-off never passes the deadline");
    }

    @Test
    void shouldRejectBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> TransactionSettings.defaults().timeout(Duration.ZERO));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransactionSettings.defaults().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("initialBackoff"), e.getMessage());
    }
}

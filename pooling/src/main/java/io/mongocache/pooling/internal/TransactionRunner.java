package io.mongocache.pooling.internal;

import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import io.mongocache.common.Backoff;
import io.mongocache.pooling.TransactionSettings;
import io.mongocache.pooling.TransactionWork;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pooling's one transaction runner (behind every {@code MongoPools.transaction}), with MongoDB's retry rules: the
 * whole transaction again on {@code TransientTransactionError}, whether the body or the commit failed with it; the
 * commit alone again on {@code UnknownTransactionCommitResult}; exponential back-off with full jitter between
 * attempts; every attempt within one overall time limit, after which the last error is thrown. Any other error
 * aborts and is thrown at once. Each attempt has a fresh session: the attempt ends (abort or commit), the
 * settings' {@code onEnd} hook runs, the session closes, and only then does the back-off sleep, so a waiting retry
 * holds no session and keeps no separate pool from auto-closing.
 *
 * <p>Not the driver's {@code ClientSession.withTransaction} (which cache-core's {@code MongoCache.transaction}
 * runs on the caller's session): that has a fixed time limit and no hook per attempt, while
 * {@code TransactionSettings} sets the limit, the back-off and {@code onEnd}.
 *
 * <p>Concurrency: runs on the caller's thread and sleeps there; nothing is scheduled, so nothing is left behind.
 * Time, sleeping and randomness are injected so tests drive them.
 */
public final class TransactionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRunner.class);
    static final String TRANSIENT = MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL;
    static final String UNKNOWN_COMMIT = MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL;

    /** Sleeps on the calling thread. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public TransactionRunner(LongSupplier nanoClock, Sleeper sleeper, RandomGenerator random) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.random = random;
    }

    public static TransactionRunner system() {
        return new TransactionRunner(System::nanoTime, nanos -> java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos),
                java.util.concurrent.ThreadLocalRandom.current());
    }

    /**
     * Runs {@code work} in a transaction of a fresh session per attempt, as the class describes.
     *
     * @param sessions starts a session on the client the transaction runs on
     * @return what the committed attempt's work returned
     * @throws RuntimeException the first error that is not retried, or the last one once the time limit passed
     */
    public <T> T run(Supplier<ClientSession> sessions, TransactionWork<T> work, TransactionSettings settings) {
        long deadline = nanoClock.getAsLong() + settings.timeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            try (ClientSession session = sessions.get()) {
                try {
                    return attempt(session, work, settings, deadline);
                } catch (RuntimeException e) {
                    // The one place that decides to run the whole transaction again, whether the body or the
                    // commit failed.
                    if (!(hasLabel(e, TRANSIENT) && nanoClock.getAsLong() < deadline)) {
                        throw e;
                    }
                    LOG.debug("mongocache: transient transaction error, retrying (attempt {})", attempt);
                } finally {
                    try {
                        settings.onEnd().accept(session);
                    } catch (RuntimeException hookError) {
                        LOG.warn("mongocache: a transaction's onEnd hook threw; ignored", hookError);
                    }
                }
            }
            backoff(attempt, deadline, settings);
        }
    }

    /**
     * One attempt: start, run the body (aborting if it throws), commit — retrying the commit alone while its
     * result is unknown.
     */
    private <T> T attempt(ClientSession session, TransactionWork<T> work, TransactionSettings settings,
            long deadline) {
        session.startTransaction(settings.options());
        T result;
        try {
            result = work.run(session);
        } catch (RuntimeException e) {
            abortQuietly(session);
            throw e;
        }
        for (int commitAttempt = 1; ; commitAttempt++) {
            try {
                session.commitTransaction();
                return result;
            } catch (MongoException e) {
                if (!(e.hasErrorLabel(UNKNOWN_COMMIT) && nanoClock.getAsLong() < deadline)) {
                    throw e;
                }
                backoff(commitAttempt, deadline, settings);
            }
        }
    }

    private static boolean hasLabel(RuntimeException e, String label) {
        return e instanceof MongoException m && m.hasErrorLabel(label);
    }

    private static void abortQuietly(ClientSession session) {
        try {
            if (session.hasActiveTransaction()) {
                session.abortTransaction();
            }
        } catch (RuntimeException e) {
            LOG.debug("mongocache: abortTransaction failed", e);
        }
    }

    /** Full jitter: a random time up to min(max, initial × 2^(attempt-1)), never past the deadline. */
    private void backoff(int attempt, long deadline, TransactionSettings settings) {
        long jittered = Backoff.fullJitter(settings.initialBackoff().toNanos(), settings.maxBackoff().toNanos(),
                attempt, random);
        long pause = Math.min(jittered, Math.max(0, deadline - nanoClock.getAsLong()));
        try {
            sleeper.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MongoException("interrupted while backing off between transaction attempts");
        }
    }
}

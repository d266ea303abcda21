package io.mongocache.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoIncompatibleDriverException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import io.mongocache.MongoCacheConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link StartupProbe}'s decision over a fake deployment and a fake clock. */
class StartupProbeTest {
    private static final WatchScope SCOPE = WatchScope.databases("shop");

    /** A deployment that answers as told, records what it was asked, and moves the clock as each answer takes. */
    private static final class FakeDeployment implements StartupProbe.Deployment {
        final List<String> asked = new ArrayList<>();
        @Nullable RuntimeException pingFails;
        long pingTakesNanos;
        @Nullable String refusal;
        long now;

        @Override
        public void ping(long timeoutMillis) {
            asked.add("ping " + timeoutMillis);
            now += pingTakesNanos;
            if (pingFails != null) {
                throw pingFails;
            }
        }

        @Override
        public @Nullable String streamRefusal(long timeoutMillis) {
            asked.add("stream " + timeoutMillis);
            return refusal;
        }
    }

    private static @Nullable MongoCacheConfigurationException probe(FakeDeployment d, boolean requireStreams) {
        return StartupProbe.refusal(d, "mongocache", SCOPE, requireStreams, () -> d.now);
    }

    @Test
    void shouldAskBothQuestionsWithinOneBudget() {
        FakeDeployment d = new FakeDeployment();
        d.pingTakesNanos = TimeUnit.MILLISECONDS.toNanos(1_500);
        assertNull(probe(d, true));
        assertEquals(List.of("ping 5000", "stream 3500"), d.asked, "the stream check gets what the ping left");
    }

    @Test
    void shouldNotAskAboutStreamsWhenTheDeploymentDoesNotAnswer() {
        FakeDeployment d = new FakeDeployment();
        d.pingFails = new MongoTimeoutException("Timed out while waiting for a server");
        d.pingTakesNanos = StartupProbe.BUDGET.toNanos();
        assertNull(probe(d, true), "an unreachable deployment starts; the elector and the watcher find out");
        assertEquals(List.of("ping 5000"), d.asked, "one bounded wait, not two");
    }

    @Test
    void shouldNotAskAboutStreamsWhenThePingUsedTheWholeBudget() {
        FakeDeployment d = new FakeDeployment();
        d.pingTakesNanos = StartupProbe.BUDGET.toNanos();
        assertNull(probe(d, true));
        assertEquals(List.of("ping 5000"), d.asked);
    }

    @Test
    void shouldRefuseAServerTheDriverFindsTooOldNamingTheStateDatabase() {
        FakeDeployment d = new FakeDeployment();
        d.pingFails = new MongoIncompatibleDriverException("wire version 7 is too old",
                new ClusterDescription(ClusterConnectionMode.SINGLE, ClusterType.STANDALONE, List.of()));
        MongoCacheConfigurationException e = probe(d, true);
        assertTrue(e != null && e.getMessage().startsWith("stateDatabase('mongocache'): the Coordinator needs MongoDB "
                + "4.2 or newer"), String.valueOf(e));
        assertTrue(e.getMessage().contains("wire version 7 is too old"), e.getMessage());
        assertEquals(List.of("ping 5000"), d.asked);
    }

    @Test
    void shouldRefuseADeploymentWhereNoStreamOpensNamingTheScopeAndTheWayOut() {
        FakeDeployment d = new FakeDeployment();
        d.refusal = "Location40573: The $changeStream stage is only supported on replica sets";
        MongoCacheConfigurationException e = probe(d, true);
        assertTrue(e != null && e.getMessage().startsWith("watch(" + SCOPE + "): a change stream cannot open"),
                String.valueOf(e));
        assertTrue(e.getMessage().contains(d.refusal) && e.getMessage().contains("requireChangeStreams(false)"),
                e.getMessage());
    }

    @Test
    void shouldOnlyPingWhenStreamsAreNotRequiredOrNothingIsWatched() {
        FakeDeployment d = new FakeDeployment();
        d.refusal = "no streams here";
        assertNull(probe(d, false));
        assertNull(StartupProbe.refusal(d, "mongocache", null, true, () -> d.now));
        assertEquals(List.of("ping 5000", "ping 5000"), d.asked);
    }
}

package io.mongocache.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.Tag;
import com.mongodb.TagSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadFreshnessTest {

    @Test
    void shouldTreatOnlyPrimaryReadsOfLocalOrLinearizableDataAsCurrent() {
        for (ReadConcern concern : List.of(ReadConcern.DEFAULT, ReadConcern.LOCAL, ReadConcern.AVAILABLE,
                ReadConcern.LINEARIZABLE)) {
            assertFalse(ReadFreshness.mayReadOlderData(ReadPreference.primary(), concern), concern.toString());
        }
        assertFalse(ReadFreshness.mayReadOlderData(null, null));
    }

    @Test
    void shouldTreatEveryReadThatMayReachASecondaryAsPossiblyOlder() {
        List<ReadPreference> preferences = List.of(ReadPreference.secondary(), ReadPreference.secondaryPreferred(),
                ReadPreference.nearest(), ReadPreference.primaryPreferred(),
                ReadPreference.secondaryPreferred(90, TimeUnit.SECONDS),
                ReadPreference.nearest(new TagSet(new Tag("dc", "east"))));
        for (ReadPreference preference : preferences) {
            assertTrue(ReadFreshness.mayReadOlderData(preference, ReadConcern.DEFAULT), preference.toString());
        }
    }

    @Test
    void shouldTreatMajorityAndSnapshotReadsOnThePrimaryAsPossiblyOlder() {
        assertTrue(ReadFreshness.mayReadOlderData(ReadPreference.primary(), ReadConcern.MAJORITY));
        assertTrue(ReadFreshness.mayReadOlderData(ReadPreference.primary(), ReadConcern.SNAPSHOT));
    }

    @Test
    void shouldCapPossiblyOlderResultsAtHalfTheStalenessBound() {
        Duration bound = Duration.ofSeconds(2);
        assertEquals(Duration.ofMinutes(5), ReadFreshness.cap(Duration.ofMinutes(5), false, bound));
        assertEquals(Duration.ofSeconds(1), ReadFreshness.cap(Duration.ofMinutes(5), true, bound));
        assertEquals(Duration.ofMillis(300), ReadFreshness.cap(Duration.ofMillis(300), true, bound),
                "a shorter TTL stays");
    }
}

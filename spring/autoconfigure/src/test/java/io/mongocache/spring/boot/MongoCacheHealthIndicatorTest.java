package io.mongocache.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.MongoCache;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The health contributor's states for a cache without Redis: UP while open, DOWN once closed. */
class MongoCacheHealthIndicatorTest {

    @Test
    void shouldBeUpWhileOpenAndDownOnceClosed() {
        MongoCache cache = MongoCache.builder().build();
        MongoCacheHealthIndicator indicator = new MongoCacheHealthIndicator(cache, null, null);
        Health open = indicator.health();
        assertEquals(Status.UP, open.getStatus());
        assertEquals(Map.of("configured", false), open.getDetails().get("redis"));
        assertEquals(List.of(), open.getDetails().get("problems"));
        cache.close();
        assertEquals(Status.DOWN, indicator.health().getStatus());
    }
}

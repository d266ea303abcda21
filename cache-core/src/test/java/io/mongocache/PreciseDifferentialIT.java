package io.mongocache;

import io.mongocache.testing.TestRedis;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The differential test with precise invalidation on (the default; {@link DifferentialIT} itself runs with whole
 * namespaces), on one node and on three nodes sharing Redis, each operation going through a node chosen by the seed.
 */
class PreciseDifferentialIT {

    @ParameterizedTest(name = "seed {0}, one node")
    @ValueSource(longs = {5, 17})
    void shouldMatchTheRawDriverOnOneNode(long seed) throws InterruptedException {
        try (MongoCache cache = MongoCache.builder().redis(TestRedis.uri()).build()) {
            DifferentialIT.run(seed, "precise, one node", List.of(cache));
        }
    }

    @ParameterizedTest(name = "seed {0}, three nodes")
    @ValueSource(longs = {29, 43})
    void shouldMatchTheRawDriverOnThreeNodes(long seed) throws InterruptedException {
        List<MongoCache> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(MongoCache.builder().redis(TestRedis.uri()).build());
            }
            DifferentialIT.run(seed, "precise, three nodes", nodes);
        } finally {
            nodes.forEach(MongoCache::close);
        }
    }
}

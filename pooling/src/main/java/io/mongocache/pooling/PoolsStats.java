package io.mongocache.pooling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * Every pool's statistics, their totals, and a bounded history of total samples.
 *
 * @param pools one entry per pool, the primary first
 * @param openPools how many pools are open
 * @param connections connections open in all pools
 * @param inUse connections checked out in all pools
 * @param history the latest samples, oldest first
 */
public record PoolsStats(List<PoolStats> pools, int openPools, int connections, int inUse, List<Sample> history) {

    /** Totals at one moment ({@code at} in ISO-8601). */
    public record Sample(String at, int openPools, int connections, int inUse, int waitQueue) {}

    /** As JSON. */
    public String toJson() {
        return Json.write(this);
    }

    static final class Json {
        private static final ObjectMapper MAPPER = new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT);

        private Json() {}

        static String write(Object value) {
            try {
                return MAPPER.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render JSON", e);
            }
        }
    }
}

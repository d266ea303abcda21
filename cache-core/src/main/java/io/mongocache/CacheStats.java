package io.mongocache;

import io.mongocache.exceptions.MongoCacheException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mongodb.annotations.Immutable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the cache's counters, per namespace and in total.
 *
 * @param namespaces counters per {@code database.collection}, sorted by name: the namespaces used most recently,
 *     at most {@code maxTrackedNamespaces} of them (older rows are folded into the totals)
 * @param totals the sum over every namespace ever counted, including rows no longer in {@code namespaces}
 * @param redisAvailable whether the shared tier is configured and currently answering
 * @param redisProblem why the shared tier is not in use, in the server's or the socket's words (for example
 *     {@code WRONGPASS invalid username-password pair…}, {@code Connection refused}); null while it is, or without one
 * @param redisErrors Redis faults not tied to a namespace (connection loss, failed probes)
 * @param channel the cross-node invalidation channel
 * @param localEntries entries in the local tier now (Caffeine's estimate; 0 without a local tier)
 */
@Immutable
public record CacheStats(Map<String, NamespaceStats> namespaces, NamespaceStats totals, boolean redisAvailable,
        @org.jspecify.annotations.Nullable String redisProblem, long redisErrors, Channel channel,
        long localEntries) {

    /**
     * The invalidation channel's counters.
     *
     * @param received messages received from Redis (others' invalidations and heartbeats, own heartbeats)
     * @param invalidations invalidations of other nodes received and applied here (part of {@code received})
     * @param gaps times a lost message was detected (a sequence gap or an epoch change)
     * @param flushes times the local tier was flushed because it could no longer vouch for its content
     * @param localTierTrusted whether the local tier may serve now (fresh proof of having every invalidation)
     * @param lagMicros the channel's lag as this node last measured it: how long its latest heartbeat took from
     *     being sent to coming back through Redis, in microseconds (what an invalidation sent then took to reach the
     *     subscribers; no clock of another node involved); -1 before the first one came back
     */
    public record Channel(long received, long invalidations, long gaps, long flushes, boolean localTierTrusted,
            long lagMicros) {
        /** No channel (no Redis): the local tier is always trusted. */
        public static final Channel NONE = new Channel(0, 0, 0, 0, true, -1);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CacheStats {
        namespaces = java.util.Collections.unmodifiableMap(new TreeMap<>(namespaces));
    }

    /** Counters of one namespace, all zero if it has none. */
    public NamespaceStats namespace(String namespace) {
        return namespaces.getOrDefault(namespace, NamespaceStats.EMPTY);
    }

    /**
     * This snapshot as a JSON object: {@code {"redisAvailable":…,"redisProblem":…,"redisErrors":…,"channel":{…},
     * "localEntries":…,"totals":{…},"namespaces":{…}}}.
     */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("redisAvailable", redisAvailable);
        if (redisProblem != null) {
            root.put("redisProblem", redisProblem);
        }
        root.put("redisErrors", redisErrors);
        root.put("channel", channel);
        root.put("localEntries", localEntries);
        root.put("totals", totals());
        root.put("namespaces", namespaces);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new MongoCacheException("could not render cache statistics as JSON", e);
        }
    }
}

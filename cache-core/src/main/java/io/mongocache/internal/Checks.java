package io.mongocache.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;

/** Argument checks with messages that name the parameter and the rule. */
public final class Checks {
    private Checks() {}

    /** @throws IllegalArgumentException naming {@code parameter} if null, zero or negative */
    public static Duration positive(String parameter, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(parameter + " must be positive but was " + value);
        }
        return value;
    }

    /**
     * @throws IllegalArgumentException naming {@code parameter} if there is no URI or one is null or malformed
     * @return the URIs, as an immutable list
     */
    public static List<String> redisUris(String parameter, String... uris) {
        if (uris == null || uris.length == 0) {
            throw new IllegalArgumentException(parameter + ": at least one seed URI is required");
        }
        for (String uri : uris) {
            redisUri(parameter, uri);
        }
        return List.of(uris);
    }

    /**
     * @throws IllegalArgumentException naming {@code parameter} if the URI is null or malformed; the message masks
     *     any password
     */
    public static String redisUri(String parameter, String uri) {
        if (uri == null) {
            throw new IllegalArgumentException(parameter + ": the Redis URI must not be null");
        }
        try {
            java.net.URI syntax = new java.net.URI(uri);
            String scheme = syntax.getScheme();
            if (scheme == null || !List.of("redis", "rediss", "redis-socket", "redis-sentinel", "rediss-sentinel")
                    .contains(scheme)) {
                throw new IllegalArgumentException("scheme");
            }
            if ((scheme.equals("redis") || scheme.equals("rediss")) && (syntax.getHost() == null)) {
                throw new IllegalArgumentException("host");
            }
            RedisURI parsed = RedisURI.create(uri);
            if (parsed.getHost() == null && parsed.getSocket() == null && parsed.getSentinels().isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
        } catch (RuntimeException | java.net.URISyntaxException e) {
            // The parser's own message may repeat the URI with its password: never pass it on.
            throw new IllegalArgumentException(parameter + ": malformed Redis URI '" + Redaction.maskUri(uri)
                    + "' (expected redis://[user:password@]host[:port][/database] or rediss://…)");
        }
        return uri;
    }
}

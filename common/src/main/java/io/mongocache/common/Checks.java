package io.mongocache.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks whose messages name the parameter, the value and the rule it broke, with credentials masked.
 * Shared plumbing of mongocache's own modules, not user API.
 */
public final class Checks {
    /** MongoDB refuses database names of 64 bytes or more (UTF-8). */
    public static final int MAX_DATABASE_NAME_BYTES = 63;
    /** Characters MongoDB forbids in a database name on every platform, NUL included. */
    private static final String FORBIDDEN_DATABASE_CHARS = "/\\. \"$\0";
    private static final List<String> REDIS_SCHEMES =
            List.of("redis", "rediss", "redis-socket", "redis-sentinel", "rediss-sentinel");

    private Checks() {}

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code parameter} must not be null"
     */
    public static <T> T notNull(String parameter, @Nullable T value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException naming {@code parameter} if null, zero or negative
     */
    public static Duration positive(String parameter, @Nullable Duration value) {
        notNull(parameter, value);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(parameter + " must be positive but was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException naming {@code parameter} if zero or negative
     */
    public static int positive(String parameter, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(parameter + " must be > 0 but was " + value);
        }
        return value;
    }

    /**
     * The one database-name rule of every module, MongoDB's for every platform: not empty, under 64 bytes in
     * UTF-8, none of {@code / \ . space " $} and no NUL. (Windows servers refuse {@code * < > : | ?} as well; the
     * server says so itself when it gets one.) Checked here rather than left to the driver, whose own check misses
     * {@code $} and the length and whose message does not say which parameter was wrong.
     *
     * @return {@code name}
     * @throws IllegalArgumentException naming {@code parameter} and the broken rule
     */
    public static String databaseName(String parameter, @Nullable String name) {
        notNull(parameter, name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(parameter + " must be a non-empty database name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (FORBIDDEN_DATABASE_CHARS.indexOf(name.charAt(i)) >= 0) {
                throw new IllegalArgumentException(parameter + " must be a database name without any of "
                        + "/ \\ . space \" $ or NUL, but was '" + printable(name) + "'");
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_DATABASE_NAME_BYTES) {
            throw new IllegalArgumentException(parameter + " must be a database name of at most "
                    + MAX_DATABASE_NAME_BYTES + " UTF-8 bytes, but was '" + printable(name) + "'");
        }
        return name;
    }

    /**
     * Checks one Redis URI: a known scheme ({@code redis}, {@code rediss}, {@code redis-socket},
     * {@code redis-sentinel}, {@code rediss-sentinel}), a host for {@code redis} and {@code rediss}, and then the
     * Redis client's own parse, which the caller passes in (this module does not depend on a Redis client).
     *
     * @param clientAccepts the client's parse: true if it finds a host, a socket or a sentinel; it may throw
     * @return {@code uri}
     * @throws IllegalArgumentException naming {@code parameter} if the URI is null or malformed; the message masks
     *     any password and never repeats the parser's own message (it may quote the password)
     */
    public static String redisUri(String parameter, @Nullable String uri, Predicate<String> clientAccepts) {
        if (uri == null) {
            throw new IllegalArgumentException(parameter + ": the Redis URI must not be null");
        }
        boolean accepted;
        try {
            URI syntax = new URI(uri);
            String scheme = syntax.getScheme();
            accepted = scheme != null && REDIS_SCHEMES.contains(scheme)
                    && (syntax.getHost() != null || !(scheme.equals("redis") || scheme.equals("rediss")))
                    && clientAccepts.test(uri);
        } catch (RuntimeException | URISyntaxException e) {
            accepted = false;
        }
        if (!accepted) {
            throw new IllegalArgumentException(parameter + ": malformed Redis URI '" + Masking.connectionString(uri)
                    + "' (expected redis://[user:password@]host[:port][/database] or rediss://…)");
        }
        return uri;
    }

    /**
     * Checks seed URIs with {@link #redisUri}.
     *
     * @return the URIs, as an immutable list
     * @throws IllegalArgumentException naming {@code parameter} if there is no URI or one is null or malformed
     */
    public static List<String> redisUris(String parameter, String @Nullable [] uris,
            Predicate<String> clientAccepts) {
        if (uris == null || uris.length == 0) {
            throw new IllegalArgumentException(parameter + ": at least one seed URI is required");
        }
        for (String uri : uris) {
            redisUri(parameter, uri, clientAccepts);
        }
        return List.of(uris);
    }

    /** Control characters (NUL above all) would garble a message: shows them as escapes. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

package io.mongocache.pooling.bulk;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Argument checks whose messages name the parameter and the rule it broke. */
final class Checks {

    /** MongoDB rejects database names of 64 bytes or more. */
    private static final int MAX_DATABASE_NAME_BYTES = 63;
    /** Characters MongoDB forbids in database names (on any platform). */
    private static final String FORBIDDEN_DATABASE_CHARS = "/\\. \"$\0";
    /** Databases the server itself depends on; dropping them breaks the deployment. */
    private static final Set<String> SYSTEM_DATABASES = Set.of("admin", "local", "config");

    private Checks() {}

    static <T> T notNull(String parameter, T value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        return value;
    }

    static int positive(String parameter, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(parameter + " must be > 0 but was " + value);
        }
        return value;
    }

    /**
     * Checks the MongoDB database-name rules here rather than leaving them to the driver, whose
     * message does not say which parameter was wrong.
     */
    static String databaseName(String parameter, String name) {
        notNull(parameter, name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(parameter + " must be a non-empty database name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (FORBIDDEN_DATABASE_CHARS.indexOf(c) >= 0) {
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

    static String droppableDatabaseName(String parameter, String name) {
        databaseName(parameter, name);
        if (SYSTEM_DATABASES.contains(name)) {
            throw new IllegalArgumentException(parameter + " must not be one of the server's own databases "
                    + "admin, local or config, but was '" + name + "'");
        }
        return name;
    }

    /** NUL and other control characters would garble a message; show them as escapes. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

package io.mongocache.internal;

import io.mongocache.common.Masking;
import java.util.List;
import java.util.Locale;

/**
 * What went wrong with Redis, in the server's words: the innermost message of a Lettuce failure (where the server's
 * reply, such as {@code WRONGPASS invalid username-password pair or user is disabled.}, ends up), with any URI in it
 * masked; and whether it is a configuration error (credentials, permissions, database index) that no retry will
 * cure, as opposed to a Redis that is down or slow. Pure.
 */
public final class RedisProblems {
    /** Reply prefixes and phrases of errors that mean the settings, not the server's state, are wrong. */
    private static final List<String> CONFIGURATION = List.of("wrongpass", "noauth", "noperm", "invalid password",
            "db index is out of range", "invalid db index", "auth <password> called without any password",
            "client sent auth, but no password is set", "invalid username-password");

    private RedisProblems() {}

    /** The server's (or the socket's) own reason, innermost first, credentials masked; never null. */
    public static String reason(Throwable error) {
        Throwable innermost = error;
        String message = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            innermost = t;
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        String text = message == null ? innermost.getClass().getSimpleName() : message.strip();
        return Masking.inText(text);
    }

    /** Whether some message in the chain says the settings are wrong (no retry will help). */
    public static boolean isConfigurationError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                for (String phrase : CONFIGURATION) {
                    if (lower.contains(phrase)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}

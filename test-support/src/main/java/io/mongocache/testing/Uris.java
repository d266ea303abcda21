package io.mongocache.testing;

/** Helpers for connection strings that are printed to the console. */
final class Uris {

    private Uris() {}

    /**
     * Replaces the password in a {@code scheme://user:password@host...} connection string with
     * {@code ****}, so a log line never leaks a secret taken from an environment variable.
     * Strings without a password are returned unchanged.
     */
    static String maskPassword(String connectionString) {
        int schemeEnd = connectionString.indexOf("://");
        if (schemeEnd < 0) {
            return connectionString;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = indexOfAny(connectionString, authorityStart, '/', '?');
        // The last '@' of the authority ends the user info; hosts never contain '@'.
        int at = connectionString.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return connectionString;
        }
        int colon = connectionString.indexOf(':', authorityStart);
        if (colon < 0 || colon > at) {
            return connectionString;
        }
        return connectionString.substring(0, colon + 1) + "****" + connectionString.substring(at);
    }

    private static int indexOfAny(String text, int from, char first, char second) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == first || c == second) {
                return i;
            }
        }
        return text.length();
    }
}

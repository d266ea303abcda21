package io.mongocache.common;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Masks the credentials of connection strings before they reach a message or a log line. Shared plumbing of
 * mongocache's own modules, not user API.
 *
 * <p>The password becomes {@code ****}; the user name stays, so a log line still says who connected. A user info
 * without a colon is masked whole, except under {@code mongodb} and {@code mongodb+srv}: Redis (Lettuce) takes a
 * lone {@code redis://secret@host} as the password, MongoDB a lone {@code mongodb://user@host} as a user name
 * without a password.
 */
public final class Masking {
    /** The text put where a password was. */
    public static final String MASK = "****";

    // [scheme:]//userinfo@ — the user info runs to the last '@' before the path, query or fragment.
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*:)?//([^/?#]*)@");

    private Masking() {}

    /**
     * Masks one connection string as it was given, well-formed or not: everything between its {@code ://} and its
     * last {@code @} counts as user info, so a password with an unescaped {@code /}, {@code ?}, {@code #} or
     * {@code @} is masked too (an {@code @} in the query masks the host with it: more than needed, never less).
     * {@code redis://user:pw@h} becomes {@code redis://user:****@h}, {@code rediss://secret@h} becomes
     * {@code rediss://****@h}; a string without {@code ://} is masked as {@linkplain #inText text}.
     *
     * @return the masked string; {@code "null"} for null
     */
    public static String connectionString(@Nullable String uri) {
        if (uri == null) {
            return "null";
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            return inText(uri);
        }
        int userInfoStart = schemeEnd + 3;
        int at = uri.lastIndexOf('@');
        if (at < userInfoStart) {
            return uri;
        }
        return uri.substring(0, userInfoStart) + userInfo(uri.substring(0, schemeEnd), uri.substring(userInfoStart, at))
                + uri.substring(at);
    }

    /**
     * Masks every connection string in free text, such as an exception's message or a comma-separated list:
     * {@code "redis://a:x@h1,redis://b:y@h2"} becomes {@code "redis://a:****@h1,redis://b:****@h2"}. In text the
     * user info ends at the last {@code @} before a {@code /}, {@code ?} or {@code #}: mask a single connection
     * string, above all a malformed one, with {@link #connectionString}.
     *
     * @return the masked text; {@code "null"} for null
     */
    public static String inText(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String scheme = m.group(1) == null ? "" : m.group(1);
            String masked = userInfo(scheme.isEmpty() ? "" : scheme.substring(0, scheme.length() - 1), m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(scheme + "//" + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String userInfo(String scheme, String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon >= 0) {
            return userInfo.substring(0, colon) + ":" + MASK;
        }
        String lower = scheme.toLowerCase(Locale.ROOT);
        return lower.equals("mongodb") || lower.equals("mongodb+srv") ? userInfo : MASK;
    }
}

package io.mongocache.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks credentials in connection strings before they reach a message or a log line. */
public final class Redaction {
    // scheme://userinfo@host... — userinfo is everything between "//" and the last '@' before the path.
    private static final Pattern USER_INFO = Pattern.compile("(//)([^/?#]*)@");

    private Redaction() {}

    /**
     * Returns {@code uri} with the password masked: {@code redis://user:pw@h} becomes {@code redis://user:****@h};
     * a bare {@code redis://secret@h} (Redis takes a lone userinfo as the password) becomes {@code redis://****@h}.
     * Several comma-separated URIs are each masked. Never returns the input's password, even when it is malformed.
     */
    public static String maskUri(String uri) {
        if (uri == null) {
            return "null";
        }
        Matcher m = USER_INFO.matcher(uri);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userInfo = m.group(2);
            int colon = userInfo.indexOf(':');
            String masked = colon >= 0 ? userInfo.substring(0, colon) + ":****" : "****";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }
}

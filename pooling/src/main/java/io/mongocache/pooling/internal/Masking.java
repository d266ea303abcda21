package io.mongocache.pooling.internal;

import com.mongodb.ConnectionString;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Credentials never reach a message or a log line. */
public final class Masking {
    private static final Pattern USER_INFO = Pattern.compile("(//)([^/?#]*)@");

    private Masking() {}

    /** {@code mongodb://user:pw@h} → {@code mongodb://user:****@h}. */
    public static String uri(String uri) {
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

    /** Parses a connection string, or throws naming the parameter, with the URI masked. */
    public static String validatedConnectionString(String parameter, String uri) {
        if (uri == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        try {
            new ConnectionString(uri);
            return uri;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(parameter + ": malformed MongoDB connection string '" + uri(uri)
                    + "' (expected mongodb://[user:password@]host[:port][,…][/database][?options] or mongodb+srv://…)");
        }
    }
}

package io.mongocache.pooling;

import com.mongodb.ConnectionString;
import io.mongocache.common.Checks;
import io.mongocache.common.Masking;

/** Checks connection strings with the driver's own parser; credentials never reach a message. */
final class ConnectionStrings {

    private ConnectionStrings() {}

    /**
     * @return {@code uri}
     * @throws IllegalArgumentException naming {@code parameter} if null or malformed, with the URI masked (the
     *     driver's own message is left out: it may quote the password)
     */
    static String validated(String parameter, String uri) {
        Checks.notNull(parameter, uri);
        try {
            new ConnectionString(uri);
            return uri;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(parameter + ": malformed MongoDB connection string '"
                    + Masking.connectionString(uri) + "' (expected mongodb://[user:password@]host[:port][,…]"
                    + "[/database][?options] or mongodb+srv://…)");
        }
    }
}

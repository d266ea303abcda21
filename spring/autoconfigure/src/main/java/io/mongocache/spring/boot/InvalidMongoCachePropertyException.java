package io.mongocache.spring.boot;

import io.mongocache.MongoCacheConfigurationException;
import org.jspecify.annotations.Nullable;

/**
 * A {@code mongocache.*} (or {@code spring.mongodb.uri}) value the library refuses, found while the starter builds
 * its beans. Its failure analysis ({@link InvalidMongoCachePropertyFailureAnalyzer}) names the property, shows the
 * value with any password masked, and says the rule. Spring Boot's own analysis of invalid values is not used: it
 * prints the value as the environment holds it, password included.
 */
public final class InvalidMongoCachePropertyException extends MongoCacheConfigurationException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final @Nullable String shownValue;
    private final String reason;

    /**
     * @param shownValue the value as it may be shown (a URI's password masked), or null to show none
     */
    public InvalidMongoCachePropertyException(String property, @Nullable Object shownValue, String reason) {
        super("invalid value " + (shownValue == null ? "" : "'" + shownValue + "' ") + "for property " + property
                + ": " + reason);
        this.property = property;
        this.shownValue = shownValue == null ? null : String.valueOf(shownValue);
        this.reason = reason;
    }

    /** The property's name, e.g. {@code mongocache.default-ttl}. */
    public String property() {
        return property;
    }

    /** The value as shown (masked), or null. */
    public @Nullable String shownValue() {
        return shownValue;
    }

    /** The rule the value broke. */
    public String reason() {
        return reason;
    }
}

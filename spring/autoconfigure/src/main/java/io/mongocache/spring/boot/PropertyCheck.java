package io.mongocache.spring.boot;

import org.jspecify.annotations.Nullable;

/**
 * Hands one property to a library builder and turns the builder's {@link IllegalArgumentException} into an
 * {@link InvalidMongoCachePropertyException}, whose failure analysis names the property and the rule. The value
 * shown is what the caller passes as {@code shown}: for a URI, its masked form.
 */
final class PropertyCheck {
    private PropertyCheck() {}

    /** A setter call that may refuse its value. */
    @FunctionalInterface
    interface Setter {
        void apply();
    }

    /** Runs {@code setter} unless {@code value} is null (unset: the library's default stays). */
    static void set(String property, @Nullable Object value, @Nullable Object shown, Setter setter) {
        if (value == null) {
            return;
        }
        try {
            setter.apply();
        } catch (IllegalArgumentException e) {
            throw new InvalidMongoCachePropertyException(property, shown, e.getMessage());
        }
    }

    /** {@link #set} for a value that holds no secret. */
    static void set(String property, @Nullable Object value, Setter setter) {
        set(property, value, value, setter);
    }
}

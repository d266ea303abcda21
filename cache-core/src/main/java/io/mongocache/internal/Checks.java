package io.mongocache.internal;

import java.time.Duration;

/** Argument checks with messages that name the parameter and the rule. */
public final class Checks {
    private Checks() {}

    /** @throws IllegalArgumentException naming {@code parameter} if null, zero or negative */
    public static Duration positive(String parameter, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(parameter + " must be positive but was " + value);
        }
        return value;
    }
}

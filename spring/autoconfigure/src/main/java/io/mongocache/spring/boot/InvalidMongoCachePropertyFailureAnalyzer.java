package io.mongocache.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Spring Boot's start-up failure report for {@link InvalidMongoCachePropertyException}. */
final class InvalidMongoCachePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidMongoCachePropertyException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidMongoCachePropertyException cause) {
        String value = cause.shownValue() == null ? "" : "Value: " + cause.shownValue() + "\n";
        return new FailureAnalysis("mongocache could not start: property '" + cause.property() + "' is invalid.\n"
                + value + "Reason: " + cause.reason(),
                "Correct '" + cause.property() + "' in the application's configuration (see the properties table of "
                        + "the mongocache README's Spring Boot section).", cause);
    }
}

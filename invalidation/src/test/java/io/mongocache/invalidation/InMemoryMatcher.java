package io.mongocache.invalidation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * MongoDB's query matching for the filter subset {@code DifferentialWorkload.filter} generates, evaluated in memory:
 * the oracle of the property tests. It refuses (throws) anything outside that subset rather than guess.
 *
 * <p>Rules followed (MongoDB's): numbers of every type compare by value; strings compare by their code points, or
 * ignoring case under a case-insensitive collation (strength 1 or 2); embedded documents compare field by field in
 * order; a condition on an array field holds if it holds for the array or for one of its elements; a range compares
 * numbers with numbers only; {@code $ne}/{@code $nin} are the negation of {@code $eq}/{@code $in}; {@code $exists}
 * asks whether the field is there.
 */
final class InMemoryMatcher {
    private final boolean caseInsensitive;

    /** @param caseInsensitive whether strings compare ignoring case (a collation at strength 1 or 2) */
    InMemoryMatcher(boolean caseInsensitive) {
        this.caseInsensitive = caseInsensitive;
    }

    boolean matches(BsonDocument filter, BsonDocument document) {
        for (Map.Entry<String, BsonValue> clause : filter.entrySet()) {
            String key = clause.getKey();
            BsonValue condition = clause.getValue();
            boolean holds = switch (key) {
                case "$and" -> condition.asArray().stream().allMatch(b -> matches(b.asDocument(), document));
                case "$or" -> condition.asArray().stream().anyMatch(b -> matches(b.asDocument(), document));
                default -> {
                    if (key.startsWith("$")) {
                        throw new IllegalArgumentException("not in the generated subset: " + key);
                    }
                    yield fieldMatches(resolve(document, key), condition);
                }
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    /** The value at a dotted path through embedded documents, or null if it is missing. */
    private static BsonValue resolve(BsonDocument document, String path) {
        BsonValue current = document;
        for (String part : path.split("\\.")) {
            if (current == null || !current.isDocument()) {
                return null;
            }
            current = current.asDocument().get(part);
        }
        return current;
    }

    private boolean fieldMatches(BsonValue value, BsonValue condition) {
        if (condition.isDocument() && !condition.asDocument().isEmpty()
                && condition.asDocument().getFirstKey().startsWith("$")) {
            for (Map.Entry<String, BsonValue> operator : condition.asDocument().entrySet()) {
                if (!operatorHolds(value, operator.getKey(), operator.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return anyCandidate(value, c -> equal(c, condition));
    }

    private boolean operatorHolds(BsonValue value, String operator, BsonValue operand) {
        return switch (operator) {
            case "$eq" -> anyCandidate(value, c -> equal(c, operand));
            case "$ne" -> !anyCandidate(value, c -> equal(c, operand));
            case "$in" -> in(value, operand);
            case "$nin" -> !in(value, operand);
            case "$gt" -> anyCandidate(value, c -> compare(c, operand) > 0);
            case "$gte" -> anyCandidate(value, c -> compare(c, operand) >= 0);
            case "$lt" -> anyCandidate(value, c -> compare(c, operand) < 0 && compare(c, operand) != NOT_COMPARABLE);
            case "$lte" -> anyCandidate(value, c -> compare(c, operand) <= 0 && compare(c, operand) != NOT_COMPARABLE);
            case "$exists" -> (value != null) == operand.asBoolean().getValue();
            default -> throw new IllegalArgumentException("not in the generated subset: " + operator);
        };
    }

    private boolean in(BsonValue value, BsonValue operand) {
        for (BsonValue option : operand.asArray()) {
            if (option.isRegularExpression()) {
                Pattern pattern = Pattern.compile(option.asRegularExpression().getPattern());
                if (anyCandidate(value, c -> c.isString() && pattern.matcher(c.asString().getValue()).find())) {
                    return true;
                }
            } else if (anyCandidate(value, c -> equal(c, option))) {
                return true;
            }
        }
        return false;
    }

    /** The field's value and, for an array, each element: a condition holding for one of them holds. */
    private static boolean anyCandidate(BsonValue value, java.util.function.Predicate<BsonValue> test) {
        if (value == null) {
            return false;
        }
        List<BsonValue> candidates = new ArrayList<>();
        candidates.add(value);
        if (value.isArray()) {
            candidates.addAll(value.asArray());
        }
        return candidates.stream().anyMatch(test);
    }

    private boolean equal(BsonValue a, BsonValue b) {
        if (a.isNumber() || a.isDecimal128()) {
            return (b.isNumber() || b.isDecimal128()) && number(a).compareTo(number(b)) == 0;
        }
        if (a.isString() || a.isSymbol()) {
            if (!b.isString() && !b.isSymbol()) {
                return false;
            }
            String x = text(a);
            String y = text(b);
            return caseInsensitive ? x.equalsIgnoreCase(y) : x.equals(y);
        }
        if (a.isDocument()) {
            if (!b.isDocument() || a.asDocument().size() != b.asDocument().size()) {
                return false;
            }
            var left = new ArrayList<>(a.asDocument().entrySet());
            var right = new ArrayList<>(b.asDocument().entrySet());
            for (int i = 0; i < left.size(); i++) {
                if (!left.get(i).getKey().equals(right.get(i).getKey())
                        || !equal(left.get(i).getValue(), right.get(i).getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray()) {
            if (!b.isArray() || a.asArray().size() != b.asArray().size()) {
                return false;
            }
            for (int i = 0; i < a.asArray().size(); i++) {
                if (!equal(a.asArray().get(i), b.asArray().get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static final int NOT_COMPARABLE = Integer.MIN_VALUE;

    /** Numbers compare with numbers; anything else is not comparable (a range never matches it). */
    private static int compare(BsonValue a, BsonValue b) {
        boolean numbers = (a.isNumber() || a.isDecimal128()) && (b.isNumber() || b.isDecimal128());
        if (!numbers) {
            return NOT_COMPARABLE;
        }
        return Integer.signum(number(a).compareTo(number(b)));
    }

    private static BigDecimal number(BsonValue value) {
        return switch (value.getBsonType()) {
            case INT32 -> BigDecimal.valueOf(value.asInt32().getValue());
            case INT64 -> BigDecimal.valueOf(value.asInt64().getValue());
            case DOUBLE -> new BigDecimal(value.asDouble().getValue());
            case DECIMAL128 -> value.asDecimal128().getValue().bigDecimalValue();
            default -> throw new IllegalArgumentException("not a number: " + value);
        };
    }

    private static String text(BsonValue value) {
        return value.isString() ? value.asString().getValue() : value.asSymbol().getSymbol();
    }
}

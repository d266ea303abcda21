package io.mongocache.internal;

import java.util.Set;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.bson.io.BasicOutputBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Writes the canonical key of a read: fields in the fixed order the caller adds them, every BSON value exactly
 * as MongoDB will receive it (field order included). While writing it notes whether any value makes the result
 * depend on time, randomness or server-side JavaScript ({@code $$NOW}, {@code $rand}, {@code $where}, …): such
 * a read must not be cached.
 */
final class KeyBuilder {
    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();
    private static final EncoderContext ENCODE = EncoderContext.builder().build();
    private static final Set<String> NON_DETERMINISTIC_OPERATORS =
            Set.of("$where", "$function", "$accumulator", "$rand", "$sampleRate", "$sample");
    private static final String[] NON_DETERMINISTIC_VARIABLES = {"$$NOW", "$$CLUSTER_TIME", "$$USER_ROLES"};

    private final BasicOutputBuffer buffer = new BasicOutputBuffer(256);
    private final BsonBinaryWriter writer = new BsonBinaryWriter(buffer);
    private final String namespace;
    private boolean deterministic = true;

    KeyBuilder(String namespace, String operation, Class<?> resultClass, BsonDocument readPreference,
            BsonDocument readConcern) {
        this(namespace, prefix(namespace, operation, resultClass, readPreference, readConcern));
    }

    /** Starts a key whose fixed leading elements were encoded once by {@link #prefix}. */
    KeyBuilder(String namespace, byte[] prefixElements) {
        this.namespace = namespace;
        writer.writeStartDocument();
        // The writer back-patches the document length from the buffer position, so raw elements may be inserted
        // between whole elements.
        buffer.writeBytes(prefixElements);
    }

    /**
     * The leading elements every key of one collection view, operation and result class shares: namespace,
     * operation, result class, read preference, read concern — as raw BSON elements (no document header).
     */
    static byte[] prefix(String namespace, String operation, Class<?> resultClass, BsonDocument readPreference,
            BsonDocument readConcern) {
        BasicOutputBuffer out = new BasicOutputBuffer(128);
        try (BsonBinaryWriter w = new BsonBinaryWriter(out)) {
            w.writeStartDocument();
            w.writeString("ns", namespace);
            w.writeString("op", operation);
            w.writeString("class", resultClass.getName());
            w.writeName("rp");
            VALUE_CODEC.encode(w, readPreference, ENCODE);
            w.writeName("rc");
            VALUE_CODEC.encode(w, readConcern, ENCODE);
            w.writeEndDocument();
        }
        byte[] document = out.toByteArray();
        return java.util.Arrays.copyOfRange(document, 4, document.length - 1);
    }

    KeyBuilder bson(String name, @Nullable Bson value, Class<?> documentClass, CodecRegistry registry) {
        if (value != null) {
            value(name, value.toBsonDocument(documentClass, registry));
        }
        return this;
    }


    KeyBuilder value(String name, @Nullable BsonValue value) {
        if (value != null) {
            if (deterministic && !isDeterministic(value)) {
                deterministic = false;
            }
            writer.writeName(name);
            VALUE_CODEC.encode(writer, value, ENCODE);
        }
        return this;
    }

    KeyBuilder string(String name, @Nullable String value) {
        if (value != null) {
            writer.writeString(name, value);
        }
        return this;
    }



    /** False when the read depends on time, randomness or JavaScript and must bypass the cache. */
    boolean deterministic() {
        return deterministic;
    }

    /** The key; its dependencies are computed only if a read with it misses. */
    CacheKey build(java.util.function.Supplier<Dependency[]> dependencies) {
        writer.writeEndDocument();
        writer.flush();
        return new CacheKey(namespace, dependencies, buffer.toByteArray());
    }

    CacheKey build(Dependency[] dependencies) {
        writer.writeEndDocument();
        writer.flush();
        return new CacheKey(namespace, dependencies, buffer.toByteArray());
    }

    /** The key of a read that may depend on any document of its namespace. */
    CacheKey build() {
        String ns = namespace;
        return build(() -> Dependency.wholeNamespace(ns));
    }

    static boolean isDeterministic(BsonValue value) {
        switch (value.getBsonType()) {
            case DOCUMENT:
                for (var e : value.asDocument().entrySet()) {
                    if (NON_DETERMINISTIC_OPERATORS.contains(e.getKey()) || !isDeterministic(e.getValue())) {
                        return false;
                    }
                }
                return true;
            case ARRAY:
                for (BsonValue v : value.asArray()) {
                    if (!isDeterministic(v)) {
                        return false;
                    }
                }
                return true;
            case STRING:
                String s = value.asString().getValue();
                if (s.startsWith("$$")) {
                    for (String variable : NON_DETERMINISTIC_VARIABLES) {
                        if (s.startsWith(variable)) {
                            return false;
                        }
                    }
                }
                return true;
            case JAVASCRIPT:
            case JAVASCRIPT_WITH_SCOPE:
                return false;
            default:
                return true;
        }
    }
}

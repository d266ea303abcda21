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
 * Writes the canonical key of a read: after the view's {@link KeyPrefix}, a BSON document of the result-affecting
 * options in the fixed order the caller adds them, every value exactly as MongoDB will receive it (field order
 * included). While writing it notes whether any value makes the result depend on time, randomness or server-side
 * JavaScript ({@code $$NOW}, {@code $rand}, {@code $where}, …): such a read must not be cached.
 *
 * <p>Concurrency: not thread-safe; one builder per key. Each thread reuses one output buffer and BSON writer
 * (rewound to the start of an empty document by {@code mark}/{@code reset}), so building a key allocates only
 * the key's own bytes; a builder started while the thread's writer is in use (a {@code Bson} whose encoding reads
 * through the cache) gets a writer of its own.
 */
final class KeyBuilder {
    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();
    private static final EncoderContext ENCODE = EncoderContext.builder().build();
    private static final Set<String> NON_DETERMINISTIC_OPERATORS =
            Set.of("$where", "$function", "$accumulator", "$rand", "$sampleRate", "$sample");
    private static final String[] NON_DETERMINISTIC_VARIABLES = {"$$NOW", "$$CLUSTER_TIME", "$$USER_ROLES"};

    /** A thread's reusable buffer and writer, positioned just after an empty document's start. */
    private static final class Scratch {
        final BasicOutputBuffer buffer = new BasicOutputBuffer(256);
        final BsonBinaryWriter writer = new BsonBinaryWriter(buffer);
        boolean busy;

        Scratch() {
            writer.writeStartDocument();
            writer.mark();
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final KeyPrefix prefix;
    private final Scratch scratch;
    private final boolean shared;
    private boolean deterministic = true;

    KeyBuilder(String namespace, String operation, Class<?> resultClass, BsonDocument readPreference,
            BsonDocument readConcern) {
        this(new KeyPrefix(namespace, operation, resultClass,
                prefix(namespace, operation, resultClass, readPreference, readConcern)));
    }

    KeyBuilder(KeyPrefix prefix) {
        this.prefix = prefix;
        Scratch mine = SCRATCH.get();
        if (mine.busy) {
            mine = new Scratch();
            shared = false;
        } else {
            mine.busy = true;
            shared = true;
        }
        mine.writer.reset();
        mine.writer.mark();
        this.scratch = mine;
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
            scratch.writer.writeName(name);
            VALUE_CODEC.encode(scratch.writer, value, ENCODE);
        }
        return this;
    }

    KeyBuilder string(String name, @Nullable String value) {
        if (value != null) {
            scratch.writer.writeString(name, value);
        }
        return this;
    }

    /** False when the read depends on time, randomness or JavaScript and must bypass the cache. */
    boolean deterministic() {
        return deterministic;
    }

    /** The key; its dependencies are computed only if a read with it misses. */
    CacheKey build(java.util.function.Supplier<Dependency[]> dependencies) {
        return new CacheKey(prefix, dependencies, finish());
    }

    CacheKey build(Dependency[] dependencies) {
        return new CacheKey(prefix, dependencies, finish());
    }

    /** The key if the read is deterministic, else null (the read must bypass the cache). */
    @Nullable CacheKey buildIfDeterministic(java.util.function.Supplier<Dependency[]> dependencies) {
        if (!deterministic) {
            discard();
            return null;
        }
        return build(dependencies);
    }

    /** Gives the thread's writer back without building a key. */
    void discard() {
        rewind();
    }

    /** Back to just after the empty document's start (a reset consumes the mark: set it again). */
    private void rewind() {
        scratch.writer.reset();
        scratch.writer.mark();
        if (shared) {
            scratch.busy = false;
        }
    }

    /** The key of a read that may depend on any document of its namespace. */
    CacheKey build() {
        String ns = prefix.namespace;
        return build(() -> Dependency.wholeNamespace(ns));
    }

    private byte[] finish() {
        try {
            scratch.writer.writeEndDocument();
            scratch.writer.flush();
            return scratch.buffer.toByteArray();
        } finally {
            rewind();
        }
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

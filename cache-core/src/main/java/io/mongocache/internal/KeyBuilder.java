package io.mongocache.internal;

import io.mongocache.invalidation.Dependency;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.bson.io.BasicOutputBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Writes the canonical key of a read: after the view's {@link KeyPrefix}, the result-affecting options in the fixed
 * order the caller adds them, every value exactly as MongoDB will receive it — its BSON type and content, field
 * order included — in a compact, prefix-free encoding of the BSON value tree: names and strings length-prefixed,
 * documents and arrays counted, every value tagged with its BSON type, and types not spelled out here embedded as
 * their exact (length-prefixed) BSON encoding. While writing it notes whether any value makes the result depend on time, randomness or
 * server-side JavaScript ({@code $$NOW}, {@code $rand}, {@code $where}, …): such a read must not be cached.
 *
 * <p>Concurrency: not thread-safe; one builder per key. Each thread reuses one scratch buffer, so building a key
 * allocates only the key's own bytes; a builder started while the thread's buffer is in use (a {@code Bson} whose
 * encoding reads through the cache) gets a buffer of its own.
 */
final class KeyBuilder {
    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();
    private static final EncoderContext ENCODE = EncoderContext.builder().build();
    private static final Set<String> NON_DETERMINISTIC_OPERATORS =
            Set.of("$where", "$function", "$accumulator", "$rand", "$sampleRate", "$sample");
    private static final String[] NON_DETERMINISTIC_VARIABLES = {"$$NOW", "$$CLUSTER_TIME", "$$USER_ROLES"};
    /** Tag of a value embedded as its BSON encoding. */
    private static final byte EMBEDDED = (byte) 0xFF;

    /** A thread's reusable buffer. */
    private static final class Scratch {
        byte[] bytes = new byte[256];
        int size;
        boolean busy;

        void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        void putInt(int v) {
            ensure(4);
            bytes[size++] = (byte) v;
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 24);
        }

        void putLong(long v) {
            putInt((int) v);
            putInt((int) (v >>> 32));
        }

        void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
        }

        /** A name or a string value: length-prefixed UTF-8 (so no name or value can run into the next). */
        void string(String s) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) >= 0x80) {
                    byte[] encoded = s.getBytes(StandardCharsets.UTF_8);
                    putInt(encoded.length);
                    put(encoded);
                    return;
                }
            }
            putInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
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
        mine.size = 0;
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
            scratch.string(name);
            write(scratch, value);
        }
        return this;
    }

    KeyBuilder string(String name, @Nullable String value) {
        if (value != null) {
            scratch.string(name);
            scratch.put((byte) BsonType.STRING.getValue());
            scratch.string(value);
        }
        return this;
    }

    /** The key; its dependencies are computed only if a read with it misses. */
    CacheKey build(java.util.function.Supplier<Dependency[]> dependencies) {
        return new CacheKey(prefix, dependencies, finish());
    }

    CacheKey build(Dependency[] dependencies) {
        return new CacheKey(prefix, dependencies, finish());
    }

    /** The key of a read that may depend on any document of its namespace. */
    CacheKey build() {
        String ns = prefix.namespace;
        return build(() -> Dependency.wholeNamespace(ns));
    }

    /** The key if the read is deterministic, else null (the read must bypass the cache). */
    @Nullable CacheKey buildIfDeterministic(java.util.function.Supplier<Dependency[]> dependencies) {
        if (!deterministic) {
            discard();
            return null;
        }
        return build(dependencies);
    }

    /** Gives the thread's buffer back without building a key. */
    void discard() {
        release();
    }

    private byte[] finish() {
        try {
            return Arrays.copyOf(scratch.bytes, scratch.size);
        } finally {
            release();
        }
    }

    private void release() {
        scratch.size = 0;
        if (shared) {
            scratch.busy = false;
        }
    }

    /** Writes one value: its BSON type, then its content. */
    private static void write(Scratch out, BsonValue value) {
        BsonType type = value.getBsonType();
        switch (type) {
            case DOCUMENT -> {
                out.put((byte) type.getValue());
                BsonDocument document = value.asDocument();
                out.putInt(document.size());
                for (var e : document.entrySet()) {
                    out.string(e.getKey());
                    write(out, e.getValue());
                }
            }
            case ARRAY -> {
                out.put((byte) type.getValue());
                var array = value.asArray();
                out.putInt(array.size());
                for (BsonValue v : array) {
                    write(out, v);
                }
            }
            case STRING -> {
                out.put((byte) type.getValue());
                out.string(value.asString().getValue());
            }
            case OBJECT_ID -> {
                out.put((byte) type.getValue());
                out.put(value.asObjectId().getValue().toByteArray());
            }
            case INT32 -> {
                out.put((byte) type.getValue());
                out.putInt(value.asInt32().getValue());
            }
            case INT64 -> {
                out.put((byte) type.getValue());
                out.putLong(value.asInt64().getValue());
            }
            case DOUBLE -> {
                out.put((byte) type.getValue());
                out.putLong(Double.doubleToRawLongBits(value.asDouble().getValue()));
            }
            case BOOLEAN -> {
                out.put((byte) type.getValue());
                out.put(value.asBoolean().getValue() ? (byte) 1 : (byte) 0);
            }
            case NULL -> out.put((byte) type.getValue());
            default -> {
                BasicOutputBuffer buffer = new BasicOutputBuffer(32);
                try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
                    writer.writeStartDocument();
                    writer.writeName("v");
                    VALUE_CODEC.encode(writer, value, ENCODE);
                    writer.writeEndDocument();
                }
                byte[] bson = buffer.toByteArray();
                out.put(EMBEDDED);
                out.putInt(bson.length);
                out.put(bson);
            }
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

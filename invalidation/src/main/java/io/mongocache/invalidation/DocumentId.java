package io.mongocache.invalidation;

import com.mongodb.annotations.Immutable;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.bson.types.Decimal128;

/**
 * One document's {@code _id} in canonical form: two ids that MongoDB considers equal have the same canonical
 * bytes, and two ids it considers different have different bytes (or, where its rules are not certain to tell
 * them apart, the same — which only makes a write invalidate a little more). Every node computes the same bytes,
 * so they name the id's version in Redis and on the invalidation channel.
 *
 * <p>Canonical form, one tag byte then the content:
 * <ul>
 *   <li>a number whose value is an integer that fits in a long, whatever its BSON type ({@code 1}, {@code 1L},
 *       {@code 1.0}, {@code Decimal128("1.00")}, {@code -0.0}): {@code 'i'} and the eight bytes of the long;
 *   <li>any other finite number: {@code 'd'} and its exact decimal value, normalized ({@code 2.5} as a double
 *       and {@code Decimal128("2.50")} are equal; the double {@code 0.1} is not {@code Decimal128("0.1")},
 *       as in MongoDB); NaN {@code 'N'}; infinities {@code 'P'}/{@code 'M'};
 *   <li>a string or a symbol (MongoDB compares them alike): {@code 's'} and its UTF-8 bytes;
 *   <li>an ObjectId: {@code 'o'} and its twelve bytes;
 *   <li>an embedded document: {@code 'D'} and each field name and canonical value, length-prefixed, in order
 *       (MongoDB compares documents field by field, numbers by value); an array likewise with {@code 'A'};
 *   <li>anything else: {@code 'x'} and the exact BSON encoding of the value.
 * </ul>
 */
@Immutable
public final class DocumentId {
    private static final HexFormat HEX = HexFormat.of();
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private final byte[] canonical;
    private final int hash;

    private DocumentId(byte[] canonical) {
        this.canonical = canonical;
        this.hash = Arrays.hashCode(canonical);
    }

    /**
     * The canonical id of a BSON value.
     *
     * @throws IllegalArgumentException if {@code id} is null
     */
    public static DocumentId of(BsonValue id) {
        if (id == null) {
            throw new IllegalArgumentException("id must not be null");
        }
        switch (id.getBsonType()) {
            case OBJECT_ID: {
                byte[] out = new byte[13];
                out[0] = 'o';
                System.arraycopy(id.asObjectId().getValue().toByteArray(), 0, out, 1, 12);
                return new DocumentId(out);
            }
            case INT32:
                return new DocumentId(integral(id.asInt32().getValue()));
            case INT64:
                return new DocumentId(integral(id.asInt64().getValue()));
            case STRING:
                return new DocumentId(tagged('s', id.asString().getValue().getBytes(StandardCharsets.UTF_8)));
            default: {
                ByteArrayOutputStream out = new ByteArrayOutputStream(32);
                write(id, out);
                return new DocumentId(out.toByteArray());
            }
        }
    }

    /**
     * An id from canonical bytes received from another node ({@link #canonicalBytes()}).
     *
     * @throws IllegalArgumentException if the bytes are null or empty
     */
    public static DocumentId fromCanonicalBytes(byte[] canonical) {
        if (canonical == null || canonical.length == 0) {
            throw new IllegalArgumentException("canonical id bytes must be non-empty");
        }
        return new DocumentId(canonical.clone());
    }

    /** A copy of the canonical bytes. */
    public byte[] canonicalBytes() {
        return canonical.clone();
    }

    /** How many canonical bytes there are. */
    public int length() {
        return canonical.length;
    }

    /** Copies the canonical bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(canonical, 0, target, offset, canonical.length);
    }

    private static byte[] integral(long value) {
        byte[] out = new byte[9];
        out[0] = 'i';
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (value >>> (56 - 8 * i));
        }
        return out;
    }

    private static byte[] tagged(char tag, byte[] content) {
        byte[] out = new byte[content.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(content, 0, out, 1, content.length);
        return out;
    }

    private static void write(BsonValue value, ByteArrayOutputStream out) {
        switch (value.getBsonType()) {
            case INT32 -> out.writeBytes(integral(value.asInt32().getValue()));
            case INT64 -> out.writeBytes(integral(value.asInt64().getValue()));
            case DOUBLE -> {
                double d = value.asDouble().getValue();
                if (Double.isNaN(d)) {
                    out.write('N');
                } else if (Double.isInfinite(d)) {
                    out.write(d > 0 ? 'P' : 'M');
                } else {
                    out.writeBytes(decimal(new BigDecimal(d)));
                }
            }
            case DECIMAL128 -> {
                Decimal128 d = value.asDecimal128().getValue();
                if (d.isNaN()) {
                    out.write('N');
                } else if (d.isInfinite()) {
                    out.write(d.isNegative() ? 'M' : 'P');
                } else {
                    // Negative zero has no BigDecimal: it is zero.
                    out.writeBytes(d.compareTo(Decimal128.NEGATIVE_ZERO) == 0 ? integral(0) : decimal(d.bigDecimalValue()));
                }
            }
            case STRING -> out.writeBytes(tagged('s', value.asString().getValue().getBytes(StandardCharsets.UTF_8)));
            case SYMBOL -> out.writeBytes(tagged('s', value.asSymbol().getSymbol().getBytes(StandardCharsets.UTF_8)));
            case OBJECT_ID -> out.writeBytes(tagged('o', value.asObjectId().getValue().toByteArray()));
            case DOCUMENT -> {
                out.write('D');
                for (Map.Entry<String, BsonValue> field : value.asDocument().entrySet()) {
                    lengthPrefixed(field.getKey().getBytes(StandardCharsets.UTF_8), out);
                    ByteArrayOutputStream nested = new ByteArrayOutputStream(16);
                    write(field.getValue(), nested);
                    lengthPrefixed(nested.toByteArray(), out);
                }
            }
            case ARRAY -> {
                out.write('A');
                for (BsonValue element : value.asArray()) {
                    ByteArrayOutputStream nested = new ByteArrayOutputStream(16);
                    write(element, nested);
                    lengthPrefixed(nested.toByteArray(), out);
                }
            }
            default -> {
                out.write('x');
                out.writeBytes(encode(value));
            }
        }
    }

    private static byte[] decimal(BigDecimal value) {
        if (value.signum() == 0) {
            return integral(0);
        }
        BigDecimal normalized = value.stripTrailingZeros();
        if (normalized.scale() <= 0 && normalized.compareTo(LONG_MIN) >= 0 && normalized.compareTo(LONG_MAX) <= 0) {
            return integral(normalized.longValueExact());
        }
        return tagged('d', normalized.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static void lengthPrefixed(byte[] bytes, ByteArrayOutputStream out) {
        int n = bytes.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(bytes);
    }

    private static byte[] encode(BsonValue value) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(32);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            new BsonDocumentCodec().encode(writer, new BsonDocument("v", value), EncoderContext.builder().build());
        }
        return buffer.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof DocumentId other && hash == other.hash
                && Arrays.equals(canonical, other.canonical));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "DocumentId{" + HEX.formatHex(canonical) + '}';
    }
}

package io.mongocache.spi;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.bson.types.Decimal128;

/**
 * Maps a document id to one of {@link #STRIPES} version stripes. A write to a document bumps its stripe; a cached
 * point read depends on the stripes of the ids it names. Two ids that MongoDB considers equal map to the same
 * stripe — numbers are compared by value, so {@code 1}, {@code 1L}, {@code 1.0} and {@code Decimal128("1.00")}
 * share one — and ids that collide merely invalidate each other's point reads, which is safe.
 */
public final class IdStripes {
    /** How many stripes a namespace has. A power of two. */
    public static final int STRIPES = 4096;

    private IdStripes() {}

    /** The stripe of one id. */
    public static int of(BsonValue id) {
        int h;
        switch (id.getBsonType()) {
            case INT32:
                h = integral(id.asInt32().getValue());
                break;
            case INT64:
                h = integral(id.asInt64().getValue());
                break;
            case DOUBLE: {
                double d = id.asDouble().getValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    h = special(Double.toString(d));
                } else if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                    h = integral((long) d);
                } else {
                    h = numeric(new BigDecimal(d));
                }
                break;
            }
            case DECIMAL128: {
                Decimal128 d = id.asDecimal128().getValue();
                if (d.isNaN()) {
                    h = special("NaN");
                } else if (d.isInfinite()) {
                    h = special(d.isNegative() ? "-Infinity" : "Infinity");
                } else if (d.compareTo(Decimal128.NEGATIVE_ZERO) == 0 || d.compareTo(Decimal128.POSITIVE_ZERO) == 0) {
                    h = integral(0);
                } else {
                    h = numeric(d.bigDecimalValue());
                }
                break;
            }
            case STRING:
                // String.hashCode is specified by the platform, so every node computes the same stripe.
                h = mix(id.asString().getValue().hashCode() ^ 0x5bd1e995L);
                break;
            case OBJECT_ID:
                // ObjectId.hashCode is computed from its bytes alone: the same on every node.
                h = mix(id.asObjectId().getValue().hashCode() ^ 0x27d4eb2fL);
                break;
            default:
                h = hash(encode(id));
        }
        return h & (STRIPES - 1);
    }

    /** The distinct stripes of several ids, sorted. */
    public static int[] of(List<? extends BsonValue> ids) {
        return ids.stream().mapToInt(IdStripes::of).distinct().sorted().toArray();
    }

    /** Every numeric id whose value is an integer that fits in a long hashes here, whatever its BSON type. */
    private static int integral(long value) {
        return mix(value);
    }

    private static int mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h;
    }

    private static int numeric(BigDecimal value) {
        if (value.signum() == 0) {
            return integral(0);
        }
        BigDecimal normalized = value.stripTrailingZeros();
        if (normalized.scale() <= 0) {
            try {
                return integral(normalized.longValueExact());
            } catch (ArithmeticException outsideLongRange) {
                // falls through to the decimal form
            }
        }
        return hash(("n:" + normalized).getBytes(StandardCharsets.US_ASCII));
    }

    private static int special(String name) {
        return hash(("n:" + name).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] encode(BsonValue value) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(32);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            new BsonDocumentCodec().encode(writer, new BsonDocument("v", value), EncoderContext.builder().build());
        }
        return buffer.toByteArray();
    }

    /** FNV-1a with a final avalanche, so nearby ids spread over the stripes. */
    private static int hash(byte[] bytes) {
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}

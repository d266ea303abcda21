package io.mongocache.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bson.BsonBinaryReader;
import org.bson.codecs.Decoder;
import org.bson.codecs.DecoderContext;

/** Decoding BSON bytes the way any cache in front of the driver has to: one reader, the collection's codec. */
public final class BsonBytes {

    private static final DecoderContext CONTEXT = DecoderContext.builder().build();

    private BsonBytes() {}

    /** The bytes of a raw document, copied. */
    public static byte[] copy(org.bson.RawBsonDocument doc) {
        ByteBuffer buffer = doc.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Decodes one BSON document held in {@code bytes}. */
    public static <T> T decode(byte[] bytes, Decoder<T> decoder) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try (BsonBinaryReader reader = new BsonBinaryReader(buffer)) {
            return decoder.decode(reader, CONTEXT);
        }
    }
}

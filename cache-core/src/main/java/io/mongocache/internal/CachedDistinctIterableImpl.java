package io.mongocache.internal;

import com.mongodb.ServerAddress;
import com.mongodb.ServerCursor;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Collation;
import io.mongocache.CachedDistinctIterable;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonReader;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.Decoder;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.conversions.Bson;
import org.bson.io.BasicOutputBuffer;
import org.jspecify.annotations.Nullable;

/**
 * {@code distinct}: values are cached as raw BSON, one {@code {v: value}} document each, and decoded with the
 * caller's codec on every hit. Key fields: field name, filter, collation, hint, hintString. Not in the key:
 * batchSize, maxTime, comment, timeoutMode. Every option but the filter is {@link AbstractCachedIterable}'s.
 *
 * <p>Not thread-safe, like the driver's iterables: build and consume one on one thread.
 */
public abstract class CachedDistinctIterableImpl<T>
        extends AbstractCachedIterable<T, CachedDistinctIterableImpl<T>> implements CachedDistinctIterable<T> {
    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();
    private static final OptionSetters<DistinctIterable<?>> SHARED_OPTIONS = new OptionSetters<>(
            (it, nanos) -> it.maxTime(nanos, TimeUnit.NANOSECONDS), DistinctIterable::collation,
            DistinctIterable::comment, DistinctIterable::comment, DistinctIterable::hint,
            DistinctIterable::hintString, DistinctIterable::timeoutMode);

    private static final class Factory {
        static final MethodHandle CONSTRUCTOR = ProxyClasses.constructor(CachedDistinctIterableImpl.class,
                CachedCollectionImpl.class, String.class, Bson.class, Class.class);
    }

    private final String fieldName;
    private @Nullable Bson filter;

    protected CachedDistinctIterableImpl(CachedCollectionImpl<?> owner, String fieldName, Bson filter,
            Class<T> resultClass) {
        super(owner, resultClass);
        this.fieldName = fieldName;
        this.filter = filter;
    }

    @SuppressWarnings("unchecked")
    static <T> CachedDistinctIterableImpl<T> create(CachedCollectionImpl<?> owner, String fieldName, Bson filter,
            Class<T> resultClass) {
        try {
            return (CachedDistinctIterableImpl<T>) Factory.CONSTRUCTOR.invokeExact(owner, fieldName, filter,
                    (Class<?>) resultClass);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private <X> DistinctIterable<X> apply(DistinctIterable<X> it) {
        applyShared(it, SHARED_OPTIONS).filter(filter);
        replayUnknownCalls(it);
        return it;
    }

    @Override
    DistinctIterable<T> typed() {
        return apply(owner.delegate.distinct(fieldName, resultClass));
    }

    @Override
    @Nullable CacheKey key(boolean first) {
        var documentClass = owner.getDocumentClass();
        var registry = owner.getCodecRegistry();
        BsonDocument filterDocument = filter == null ? null : filter.toBsonDocument(documentClass, registry);
        KeyBuilder key = owner.keyBuilder("distinct", resultClass)
                .string("field", fieldName)
                .value("filter", filterDocument);
        collationAndHints(key, documentClass, registry);
        Collation keyCollation = collation;
        return key.buildIfDeterministic(() -> owner.readDependencies(filterDocument, keyCollation));
    }

    @Override
    ReadResult load(boolean first, long capBytes) {
        MongoCursor<BsonValue> values = apply(owner.rawView().distinct(fieldName, BsonValue.class)).cursor();
        return Payloads.drain(new WrappingCursor(values), capBytes);
    }

    /** A background reload runs a driver iterable prepared now. */
    @Override
    java.util.function.Supplier<Loader> reloader(boolean first) {
        return () -> {
            var raw = apply(owner.rawView().distinct(fieldName, BsonValue.class));
            return cap -> Payloads.drain(new WrappingCursor(raw.cursor()), cap);
        };
    }

    @Override
    Decoder<T> decoder() {
        Decoder<T> valueDecoder = owner.getCodecRegistry().get(resultClass);
        return (BsonReader reader, DecoderContext context) -> {
            reader.readStartDocument();
            reader.readBsonType();
            reader.skipName();
            T value = valueDecoder.decode(reader, context);
            reader.readEndDocument();
            return value;
        };
    }

    /** Presents each distinct value as a raw {@code {v: value}} document. */
    private static final class WrappingCursor implements MongoCursor<RawBsonDocument> {
        private final MongoCursor<BsonValue> values;

        WrappingCursor(MongoCursor<BsonValue> values) {
            this.values = values;
        }

        private static RawBsonDocument wrap(BsonValue value) {
            BasicOutputBuffer buffer = new BasicOutputBuffer(32);
            try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
                writer.writeStartDocument();
                writer.writeName("v");
                VALUE_CODEC.encode(writer, value, EncoderContext.builder().build());
                writer.writeEndDocument();
            }
            return new RawBsonDocument(buffer.toByteArray());
        }

        @Override
        public void close() {
            values.close();
        }

        @Override
        public boolean hasNext() {
            return values.hasNext();
        }

        @Override
        public RawBsonDocument next() {
            return wrap(values.next());
        }

        @Override
        public int available() {
            return values.available();
        }

        @Override
        public @Nullable RawBsonDocument tryNext() {
            BsonValue v = values.tryNext();
            return v == null ? null : wrap(v);
        }

        @Override
        public @Nullable ServerCursor getServerCursor() {
            return values.getServerCursor();
        }

        @Override
        public ServerAddress getServerAddress() {
            return values.getServerAddress();
        }
    }

    @Override
    public CachedDistinctIterableImpl<T> filter(@Nullable Bson filter) {
        this.filter = filter;
        return this;
    }
}

package io.mongocache.internal;

import com.mongodb.Function;
import com.mongodb.ServerAddress;
import com.mongodb.ServerCursor;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoIterable;
import java.util.Collection;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** {@code iterable.map(f)}: the same results, each passed through {@code f}, as the driver's mapping iterable. */
final class MappingIterable<T, U> implements MongoIterable<U> {
    private final MongoIterable<T> source;
    private final Function<T, U> mapper;

    MappingIterable(MongoIterable<T> source, Function<T, U> mapper) {
        this.source = source;
        this.mapper = mapper;
    }

    @Override
    public MongoCursor<U> iterator() {
        return new MappingCursor<>(source.iterator(), mapper);
    }

    @Override
    public MongoCursor<U> cursor() {
        return iterator();
    }

    @Override
    public @Nullable U first() {
        T first = source.first();
        return first == null ? null : mapper.apply(first);
    }

    @Override
    public void forEach(Consumer<? super U> action) {
        try (MongoCursor<U> cursor = iterator()) {
            while (cursor.hasNext()) {
                action.accept(cursor.next());
            }
        }
    }

    @Override
    public <A extends Collection<? super U>> A into(A target) {
        forEach(target::add);
        return target;
    }

    @Override
    public MongoIterable<U> batchSize(int batchSize) {
        source.batchSize(batchSize);
        return this;
    }

    @Override
    public <V> MongoIterable<V> map(Function<U, V> next) {
        return new MappingIterable<>(this, next);
    }

    private static final class MappingCursor<T, U> implements MongoCursor<U> {
        private final MongoCursor<T> source;
        private final Function<T, U> mapper;

        MappingCursor(MongoCursor<T> source, Function<T, U> mapper) {
            this.source = source;
            this.mapper = mapper;
        }

        @Override
        public void close() {
            source.close();
        }

        @Override
        public boolean hasNext() {
            return source.hasNext();
        }

        @Override
        public U next() {
            return mapper.apply(source.next());
        }

        @Override
        public int available() {
            return source.available();
        }

        @Override
        public @Nullable U tryNext() {
            T next = source.tryNext();
            return next == null ? null : mapper.apply(next);
        }

        @Override
        public @Nullable ServerCursor getServerCursor() {
            return source.getServerCursor();
        }

        @Override
        public ServerAddress getServerAddress() {
            return source.getServerAddress();
        }
    }
}

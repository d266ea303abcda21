package io.mongocache.internal;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * Implemented by every proxy base class: receives, through the Byte Buddy generated subclass ({@link ProxyClasses}),
 * the calls of the methods it leaves abstract — for the collection, every method its routing table does not type
 * ({@link CollectionRoutes}); for the iterables, methods a newer driver added to their interfaces.
 *
 * <p>Concurrency: as the implementing class (the collection is thread-safe, the iterables are not).
 */
public interface DispatchTarget {
    @Nullable Object dispatch(Method method, @Nullable Object[] arguments) throws Throwable;

    /**
     * Throws {@link io.mongocache.MongoCacheClosedException} if this proxy's cache is closed; the generated class
     * calls it before every public method.
     */
    void checkOpen();
}

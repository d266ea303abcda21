package io.mongocache.internal;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * Implemented by every proxy base class: receives the calls of methods the base class does not implement —
 * methods a newer driver added to the interface — through the Byte Buddy generated subclass.
 */
public interface UnknownMethodHandler {
    @Nullable Object onUnknownMethod(Method method, @Nullable Object[] arguments) throws Throwable;

    /**
     * Throws {@link io.mongocache.MongoCacheClosedException} if this proxy's cache is closed; the generated class
     * calls it before every public method.
     */
    void checkOpen();
}

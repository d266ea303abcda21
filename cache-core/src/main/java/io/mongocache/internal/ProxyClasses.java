package io.mongocache.internal;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isDefaultMethod;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isFinal;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.mongocache.common.DaemonThreadFactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.TypeCache;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.SuperMethodCall;
import net.bytebuddy.implementation.bind.annotation.AllArguments;
import net.bytebuddy.implementation.bind.annotation.Origin;
import net.bytebuddy.implementation.bind.annotation.RuntimeType;
import net.bytebuddy.implementation.bind.annotation.This;
import org.jspecify.annotations.Nullable;

/**
 * Generates the concrete proxy classes. Each proxy base class ({@link CachedCollectionImpl} and the iterables)
 * implements in plain Java the driver methods it must type; it is abstract because the driver may add methods to
 * its interfaces at any time. Byte Buddy subclasses it and implements every method left abstract — and every
 * driver default method it did not override — by handing the call to {@link DispatchTarget#dispatch}: the
 * collection routes it by its table ({@link CollectionRoutes}), writes invalidating and a method the table does
 * not know passing through and, if it might write, invalidating; an iterable passes an unknown method through. So
 * a driver upgrade can add methods without causing stale reads, and without breaking the build.
 *
 * <p>Every other public method of a proxy first calls {@link DispatchTarget#checkOpen()}: a collection or
 * iterable of a closed cache throws {@link io.mongocache.MongoCacheClosedException} on any call, so nothing can
 * write through it without invalidating (a closed cache no longer tells other nodes). Only {@code unwrap()} (the
 * driver's own collection, taken knowingly) and {@code toString}/{@code equals}/{@code hashCode} still answer.
 *
 * <p>Generated classes are cached per (base class, class loader) like Byte Buddy's own {@link TypeCache} advises;
 * they are defined in the base class's package through a private lookup, so they need no public constructor.
 *
 * <p>Concurrency: thread-safe. The type cache generates a class once per loader under its lock (a racing wrap
 * waits for it); a generated proxy adds no state, so it is exactly as thread-safe as its base class.
 */
final class ProxyClasses {
    private static final TypeCache<Class<?>> CACHE = new TypeCache<>(TypeCache.Sort.SOFT);

    private ProxyClasses() {}

    /** A constructor handle of the generated subclass of {@code base}, with the given parameter types. */
    static MethodHandle constructor(Class<?> base, Class<?>... parameterTypes) {
        Class<?> generated = subclassOf(base);
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(generated, MethodHandles.lookup());
            return lookup.findConstructor(generated, MethodType.methodType(void.class, parameterTypes))
                    .asType(MethodType.methodType(base, parameterTypes));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot find the constructor of the proxy for " + base.getName(), e);
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARMING = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Generates the proxy classes, and resolves the collection's routes, on a background thread, once per class
     * loader's life of this class: generating them takes a few hundred milliseconds (Byte Buddy and class loading),
     * which the first {@code wrap} would otherwise pay on the caller's thread. A wrap that comes first generates
     * what it needs itself (the cache's lock makes the two wait for one another rather than generate twice).
     */
    static void warmUpInBackground() {
        if (!WARMING.compareAndSet(false, true)) {
            return;
        }
        Thread t = DaemonThreadFactory.named("mongocache-proxy-warmup").newThread(() -> {
            try {
                for (Class<?> base : new Class<?>[] {CachedCollectionImpl.class, CachedFindIterableImpl.class,
                        CachedAggregateIterableImpl.class, CachedDistinctIterableImpl.class}) {
                    subclassOf(base);
                }
                CollectionRoutes.warmUp();
            } catch (RuntimeException | LinkageError e) {
                // The first wrap generates them, and reports what failed.
            }
        });
        t.start();
    }

    static Class<?> subclassOf(Class<?> base) {
        ClassLoader loader = base.getClassLoader();
        return CACHE.findOrInsert(loader, base, () -> {
            try {
                return new ByteBuddy()
                        .subclass(base, ConstructorStrategy.Default.IMITATE_SUPER_CLASS)
                        .name(base.getName() + "$Proxy")
                        // Every public method checks first that its cache is open (a later rule wins where both
                        // match, so the methods below go to the dispatcher, which checks too).
                        .method(isPublic().and(not(isStatic())).and(not(isFinal())).and(not(isAbstract()))
                                .and(not(isBridge())).and(not(isDeclaredBy(Object.class)))
                                .and(not(named("checkOpen").or(named("unwrap")).or(named("toString")).or(named("hashCode"))
                                        .or(named("equals")))))
                        .intercept(MethodDelegation.to(ClosedGuard.class).andThen(SuperMethodCall.INSTANCE))
                        .method(not(isBridge()).and(isAbstract()
                                .or(isDefaultMethod().and(isDeclaredBy(nameStartsWith("com.mongodb."))))))
                        .intercept(MethodDelegation.to(Dispatcher.class))
                        .make()
                        .load(loader, ClassLoadingStrategy.UsingLookup.of(
                                MethodHandles.privateLookupIn(base, MethodHandles.lookup())))
                        .getLoaded();
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot define the proxy for " + base.getName(), e);
            }
        }, CACHE);
    }

    /** Calls a method reflectively on a target, rethrowing what the target threw. */
    static @Nullable Object invoke(Method method, Object target, @Nullable Object[] arguments) throws Throwable {
        try {
            method.setAccessible(true);
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The target of every generated method. Public because generated classes bind to it. */
    public static final class Dispatcher {
        private Dispatcher() {}

        @RuntimeType
        public static @Nullable Object dispatch(@This Object self, @Origin Method method,
                @AllArguments Object[] arguments) throws Throwable {
            DispatchTarget target = (DispatchTarget) self;
            target.checkOpen();
            return target.dispatch(method, arguments);
        }
    }

    /** Runs before every other public method of a proxy. Public because generated classes bind to it. */
    public static final class ClosedGuard {
        private ClosedGuard() {}

        public static void check(@This Object self) {
            ((DispatchTarget) self).checkOpen();
        }
    }
}

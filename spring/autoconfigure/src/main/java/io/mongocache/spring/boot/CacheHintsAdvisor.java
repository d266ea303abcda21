package io.mongocache.spring.boot;

import io.mongocache.CacheHints;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Opens {@link CacheHints} scopes around methods annotated {@link NoCache} or {@link CacheTtl} (on the method, on
 * the interface method it implements — repository query methods —, or on the type). An infrastructure advisor,
 * like the transaction advisor: Boot's auto-proxy creator applies it to repositories and other beans.
 *
 * <p>A {@code @CacheTtl} value is parsed when the pointcut first matches, which is when the bean is proxied at
 * start-up: a bad value stops the application naming the method, not on the first call.
 */
final class CacheHintsAdvisor extends AbstractPointcutAdvisor {
    private static final long serialVersionUID = 1L;

    /** What a method asks for; NONE when it carries neither annotation. */
    record Hints(boolean noCache, @Nullable Duration ttl) {
        static final Hints NONE = new Hints(false, null);
    }

    private record Key(Method method, Class<?> targetClass) {}

    private final transient Map<Key, Hints> hints = new ConcurrentHashMap<>();
    private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return hintsOf(method, targetClass) != Hints.NONE;
        }
    };
    private final transient Advice advice = (MethodInterceptor) this::invoke;

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return advice;
    }

    private @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Hints h = hintsOf(invocation.getMethod(), target == null ? invocation.getMethod().getDeclaringClass()
                : AopUtils.getTargetClass(target));
        CacheHints.Scope ttl = h.ttl == null ? null : CacheHints.ttl(h.ttl);
        try (CacheHints.Scope none = h.noCache ? CacheHints.noCache() : null) {
            return invocation.proceed();
        } finally {
            if (ttl != null) {
                ttl.close();
            }
        }
    }

    Hints hintsOf(Method method, Class<?> targetClass) {
        return hints.computeIfAbsent(new Key(method, targetClass), k -> find(k.method, k.targetClass));
    }

    private static Hints find(Method method, Class<?> targetClass) {
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        boolean noCache = has(NoCache.class, specific, method, targetClass);
        CacheTtl ttl = first(CacheTtl.class, specific, method, targetClass);
        if (!noCache && ttl == null) {
            return Hints.NONE;
        }
        Duration duration = null;
        if (ttl != null) {
            try {
                duration = DurationStyle.detectAndParse(ttl.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@CacheTtl(\"" + ttl.value() + "\") on " + method
                        + ": value must be a duration such as \"30s\", \"5m\" or \"PT1H\"", e);
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException("@CacheTtl(\"" + ttl.value() + "\") on " + method
                        + ": value must be positive");
            }
        }
        return new Hints(noCache, duration);
    }

    private static boolean has(Class<NoCache> type, Method specific, Method method, Class<?> targetClass) {
        return first(type, specific, method, targetClass) != null;
    }

    private static <A extends java.lang.annotation.Annotation> @Nullable A first(Class<A> type, Method specific,
            Method method, Class<?> targetClass) {
        A found = AnnotatedElementUtils.findMergedAnnotation(specific, type);
        if (found == null && specific != method) {
            found = AnnotatedElementUtils.findMergedAnnotation(method, type);
        }
        if (found == null) {
            found = AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(), type);
        }
        if (found == null) {
            found = AnnotatedElementUtils.findMergedAnnotation(targetClass, type);
        }
        return found;
    }
}

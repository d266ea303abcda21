package io.mongocache.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Results loaded by the reads made while the annotated method runs are cached for this long
 * ({@code io.mongocache.CacheHints.ttl}); a query's own {@code cacheTTL} still wins. On a repository query method, a
 * Spring bean's method, or a type.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CacheTtl {
    /**
     * The lifetime, in Spring Boot's duration format: {@code "30s"}, {@code "5m"}, {@code "PT1H"}. A value that is
     * not a positive duration fails when the method is first called, naming the method.
     */
    String value();
}

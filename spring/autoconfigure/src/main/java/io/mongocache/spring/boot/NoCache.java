package io.mongocache.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The reads made while the annotated method runs — through repositories, {@code MongoTemplate} or any cached
 * collection, on the calling thread — bypass the cache ({@code io.mongocache.CacheHints.noCache()}). On a
 * repository query method, a Spring bean's method, or a type (every method). Writes still invalidate.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface NoCache {}

/**
 * mongocache for Spring Boot 4: {@link io.mongocache.spring.boot.MongoCacheAutoConfiguration} builds the cache,
 * pools and coordinator from {@link io.mongocache.spring.boot.MongoCacheProperties} ({@code mongocache.*}) and wraps
 * the application's {@code MongoDatabaseFactory} ({@link io.mongocache.spring.boot.CachingMongoDatabaseFactory}) so
 * that Spring Data reads through the cache; {@link io.mongocache.spring.boot.NoCache} and
 * {@link io.mongocache.spring.boot.CacheTtl} steer the reads of one method; the actuator and Micrometer
 * auto-configurations add the health contributor, the endpoint and the meters.
 */
@NullMarked
package io.mongocache.spring.boot;

import org.jspecify.annotations.NullMarked;

/**
 * Real-server fixtures for mongocache tests.
 *
 * <p>The cache's interesting behaviour (invalidation races, Redis outages, cluster redirects,
 * change streams) only shows up against real servers, so tests here talk to real processes rather
 * than mocks:
 *
 * <ul>
 *   <li>{@link io.mongocache.testing.RedisServer} — a private {@code redis-server} process that a
 *       test may stop, kill, pause and restart at will;
 *   <li>{@link io.mongocache.testing.RedisCluster} — three such processes joined into a Redis
 *       Cluster;
 *   <li>{@link io.mongocache.testing.TestRedis} — JVM-wide shared instances for tests that leave
 *       Redis alone;
 *   <li>{@link io.mongocache.testing.TestMongo} — the MongoDB backend for the whole JVM:
 *       {@code MONGODB_URI}, Testcontainers, or the in-process {@code mongo-java-server}.
 * </ul>
 *
 * <p>Every process started here dies with the JVM that started it, even when that JVM is killed
 * with SIGKILL; see {@link io.mongocache.testing.RedisServer}.
 */
package io.mongocache.testing;

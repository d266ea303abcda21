/**
 * Real-server fixtures for mongocache tests, and the manual clock of its unit tests.
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
 *       {@code MONGODB_URI}, Testcontainers, or the in-process {@code mongo-java-server};
 *   <li>{@link io.mongocache.testing.TcpProxy} — a loopback proxy that delays, holds or drops what passes;
 *   <li>{@link io.mongocache.testing.Await} — waits for a condition, with a deadline that only guards against a
 *       hang.
 * </ul>
 *
 * <p>Logic that depends on time (leases, back-off, deadlines) is tested without real servers and without
 * waiting: {@link io.mongocache.testing.ManualScheduler} is a scheduler and a clock that only the test moves.
 *
 * <p>Every process started here dies with the JVM that started it, even when that JVM is killed
 * with SIGKILL; see {@link io.mongocache.testing.RedisServer}.
 */
package io.mongocache.testing;

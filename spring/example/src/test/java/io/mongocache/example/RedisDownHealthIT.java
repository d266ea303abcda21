package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.testing.Await;
import io.mongocache.testing.RedisServer;
import io.mongocache.testing.TestMongo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With Redis down the {@code mongocache} health contributor degrades — the application stays up and HTTP 200 —
 * while reads keep answering correctly from MongoDB; when Redis is back, it is UP again.
 */
class RedisDownHealthIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String status(int port, String path) {
        try {
            return Document.parse(get(port, path).body()).getString("status");
        } catch (Exception e) {
            return "unreachable: " + e;
        }
    }

    @Test
    void shouldDegradeNotFailWhileRedisIsDownAndKeepServingCorrectReads() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String database = TestMongo.uniqueDatabaseName("redisdown");
            Map<String, Object> p = new LinkedHashMap<>(ExampleFixtures.properties(database, "down-" + database));
            p.put("mongocache.redis.uri", redis.uri());
            p.put("mongocache.redis.retry-interval", "200ms");
            p.put("server.port", "0");
            // Boot's own MongoDB health check fails on the in-process server (it lacks a command it runs); this test
            // is about the application's status with Redis down, so leave that indicator out.
            p.put("management.health.mongodb.enabled", "false");
            try (ConfigurableApplicationContext app = StartupFailureIT.run(p)) {
                int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
                ProductRepository repository = app.getBean(ProductRepository.class);
                repository.save(new Product("r1", "rice", "pantry", 3, 0));
                assertEquals("UP", status(port, "/actuator/health/mongocache"));

                redis.stop();
                repository.findById("r1");  // a Redis call notices the outage
                Await.until(() -> "DEGRADED".equals(status(port, "/actuator/health/mongocache")),
                        Duration.ofSeconds(20), "health degrades while Redis is down");
                HttpResponse<String> overall = get(port, "/actuator/health");
                assertEquals(200, overall.statusCode(), overall.body());
                assertEquals("UP", Document.parse(overall.body()).getString("status"),
                        "the application's own status is not pulled down");
                repository.save(new Product("r1", "rice", "pantry", 4, 1));
                assertEquals(4, repository.findById("r1").orElseThrow().price(), "reads stay correct without Redis");

                redis.restart();
                Await.until(() -> "UP".equals(status(port, "/actuator/health/mongocache")), Duration.ofSeconds(20),
                        "health is UP again once Redis answers");
                assertEquals(4, repository.findById("r1").orElseThrow().price());
            }
        }
    }
}

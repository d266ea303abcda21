package io.mongocache.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.MongoTransactionManager;

/**
 * The example service: Spring Boot, Spring Data MongoDB and the mongocache starter. Its only mongocache-specific
 * code is two annotations on the repository.
 */
@SpringBootApplication
public class ExampleApplication {
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    /** MongoDB transactions need a replica set; on a standalone server leave {@code example.transactions} false. */
    @Bean
    @ConditionalOnProperty(name = "example.transactions", havingValue = "true")
    MongoTransactionManager transactionManager(MongoDatabaseFactory factory) {
        return new MongoTransactionManager(factory);
    }
}

package io.mongocache.example;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A product. {@code version} counts the writes made to it through the service (the cluster demo checks every
 * response's version against the ones it saw acknowledged).
 */
@Document("products")
public record Product(@Id String id, String name, String category, long price, long version) {
    public Product withPrice(long newPrice) {
        return new Product(id, name, category, newPrice, version + 1);
    }
}

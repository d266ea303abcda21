package io.mongocache.example;

import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Multi-document work in a transaction (when the deployment supports them; see ExampleApplication). */
@Service
public class ProductService {
    private final MongoTemplate template;

    public ProductService(MongoTemplate template) {
        this.template = template;
    }

    @Transactional
    public long recategorize(String from, String to) {
        return template.updateMulti(Query.query(Criteria.where("category").is(from)),
                new Update().set("category", to).inc("version", 1), Product.class).getModifiedCount();
    }
}

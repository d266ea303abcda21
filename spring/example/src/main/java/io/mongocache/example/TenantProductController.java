package io.mongocache.example;

import com.mongodb.ClientSessionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoDatabase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.dao.support.PersistenceExceptionTranslator;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.convert.MongoConverter;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The same products in one database per tenant ({@code /tenants/{database}/products}), each through a
 * {@code MongoTemplate} of its own on the application's (cached) database factory: what a multi-tenant service
 * does, and what the cluster demo sends to a few tenant databases.
 */
@RestController
@RequestMapping("/tenants/{database}/products")
public class TenantProductController {
    private static final Pattern TENANT_DATABASE = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private final MongoDatabaseFactory factory;
    private final MongoConverter converter;
    private final Map<String, MongoTemplate> templates = new ConcurrentHashMap<>();

    public TenantProductController(MongoDatabaseFactory factory, MongoConverter converter) {
        this.factory = factory;
        this.converter = converter;
    }

    @GetMapping("/{id}")
    public ResponseEntity<Product> get(@PathVariable String database, @PathVariable String id) {
        return ResponseEntity.ofNullable(template(database).findById(id, Product.class));
    }

    /** Sets the price and bumps the version, as {@code PUT /products/{id}/price} does in the default database. */
    @PutMapping("/{id}/price")
    public ResponseEntity<Product> price(@PathVariable String database, @PathVariable String id,
            @RequestParam long price) {
        return ResponseEntity.ofNullable(template(database).findAndModify(Query.query(Criteria.where("_id").is(id)),
                new Update().set("price", price).inc("version", 1), FindAndModifyOptions.options().returnNew(true),
                Product.class));
    }

    private MongoTemplate template(String database) {
        if (!TENANT_DATABASE.matcher(database).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "not a tenant database name: " + database);
        }
        return templates.computeIfAbsent(database,
                name -> new MongoTemplate(new TenantDatabaseFactory(factory, name), converter));
    }

    /** The application's factory with another default database; sessions and translation stay the application's. */
    private record TenantDatabaseFactory(MongoDatabaseFactory delegate, String database)
            implements MongoDatabaseFactory {
        @Override
        public MongoDatabase getMongoDatabase() {
            return delegate.getMongoDatabase(database);
        }

        @Override
        public MongoDatabase getMongoDatabase(String name) {
            return delegate.getMongoDatabase(name);
        }

        @Override
        public PersistenceExceptionTranslator getExceptionTranslator() {
            return delegate.getExceptionTranslator();
        }

        @Override
        public ClientSession getSession(ClientSessionOptions options) {
            return delegate.getSession(options);
        }

        @Override
        public MongoDatabaseFactory withSession(ClientSession session) {
            return new TenantDatabaseFactory(delegate.withSession(session), database);
        }
    }
}

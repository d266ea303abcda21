package io.mongocache.example;

import java.util.List;
import java.util.Map;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The example's HTTP API: reads and writes through a repository and through {@code MongoTemplate}. */
@RestController
@RequestMapping("/products")
public class ProductController {
    private final ProductRepository repository;
    private final MongoTemplate template;
    private final ProductService service;

    public ProductController(ProductRepository repository, MongoTemplate template, ProductService service) {
        this.repository = repository;
        this.template = template;
        this.service = service;
    }

    @GetMapping("/{id}")
    public ResponseEntity<Product> get(@PathVariable String id) {
        return ResponseEntity.of(repository.findById(id));
    }

    @GetMapping
    public List<Product> byCategory(@RequestParam String category) {
        return repository.findByCategoryOrderByPriceAsc(category);
    }

    @GetMapping("/count")
    public Map<String, Long> count(@RequestParam String category) {
        return Map.of("count", repository.countByCategory(category));
    }

    @GetMapping("/cheaper-than/{price}")
    public List<Product> cheaperThan(@PathVariable long price) {
        return repository.findByPriceLessThan(price);
    }

    /** The products of a category as an aggregation (a cached read like any other): their count and versions. */
    @GetMapping("/summary")
    public Map<String, Object> summary(@RequestParam String category) {
        List<org.bson.Document> rows = template.aggregate(org.springframework.data.mongodb.core.aggregation
                .Aggregation.newAggregation(org.springframework.data.mongodb.core.aggregation.Aggregation.match(
                        Criteria.where("category").is(category)),
                        org.springframework.data.mongodb.core.aggregation.Aggregation.project("version")),
                Product.class, org.bson.Document.class).getMappedResults();
        return Map.of("count", rows.size(), "products", rows.stream()
                .map(d -> Map.of("id", String.valueOf(d.get("_id")), "version", d.get("version"))).toList());
    }

    /**
     * A write by filter: bumps the version of every product of a category priced below {@code below}, then answers
     * the versions they have now (read after the write, bypassing the cache), which the demo acknowledges.
     */
    @PutMapping("/reprice")
    public Map<String, Object> reprice(@RequestParam String category, @RequestParam long below) {
        Query filter = Query.query(Criteria.where("category").is(category).and("price").lt(below));
        long modified = template.updateMulti(filter, new Update().inc("version", 1), Product.class)
                .getModifiedCount();
        List<Product> now = io.mongocache.CacheHints.noCache(() -> template.find(filter, Product.class));
        return Map.of("modified", modified, "products", now.stream()
                .map(p -> Map.of("id", p.id(), "version", p.version())).toList());
    }

    @PostMapping
    public ResponseEntity<Product> create(@RequestBody Product product) {
        return ResponseEntity.status(HttpStatus.CREATED).body(repository.save(product));
    }

    /** Sets the price and bumps the version in one update through the template; answers the new document. */
    @PutMapping("/{id}/price")
    public ResponseEntity<Product> price(@PathVariable String id, @RequestParam long price) {
        Product updated = template.findAndModify(Query.query(Criteria.where("_id").is(id)),
                new Update().set("price", price).inc("version", 1),
                org.springframework.data.mongodb.core.FindAndModifyOptions.options().returnNew(true), Product.class);
        return ResponseEntity.ofNullable(updated);
    }

    /** Moves every product of a category to another, in a transaction. */
    @PutMapping("/recategorize")
    public Map<String, Long> recategorize(@RequestParam String from, @RequestParam String to) {
        return Map.of("moved", service.recategorize(from, to));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        repository.deleteById(id);
        return ResponseEntity.noContent().build();
    }
}

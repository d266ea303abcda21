package io.mongocache.example;

import io.mongocache.spring.boot.CacheTtl;
import io.mongocache.spring.boot.NoCache;
import java.util.List;
import org.springframework.data.mongodb.repository.MongoRepository;

/** Plain Spring Data: the starter caches its reads and invalidates on its writes, with no code here. */
public interface ProductRepository extends MongoRepository<Product, String> {
    List<Product> findByCategoryOrderByPriceAsc(String category);

    long countByCategory(String category);

    /** Always fresh: a read that must never come from the cache. */
    @NoCache
    List<Product> findByNameStartingWith(String prefix);

    /** Cheap to be a little stale: kept for 30 seconds unless a write invalidates it first. */
    @CacheTtl("30s")
    List<Product> findByPriceLessThan(long price);
}

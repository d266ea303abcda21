package io.mongocache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mongocache.testing.DifferentialWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.BasicQuery;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * The differential oracle through {@code MongoTemplate}: a seeded random sequence of template reads and writes on
 * one collection, each run through the cached template and compared with the same read through a template on the
 * raw factory. Writes go through the cached template only (the cache must see them); every read must agree.
 */
final class TemplateOracle {
    static final String COLLECTION = "oracle";

    private TemplateOracle() {}

    static void run(MongoTemplate cached, MongoTemplate raw, long seed, int steps) {
        Random r = new Random(seed);
        raw.dropCollection(COLLECTION);
        for (int id = 0; id < DifferentialWorkload.KEY_SPACE / 2; id++) {
            cached.insert(DifferentialWorkload.item(r, id), COLLECTION);
        }
        for (int step = 0; step < steps; step++) {
            String what;
            int op = r.nextInt(10);
            if (op < 6) {
                what = read(cached, raw, r);
            } else {
                what = write(cached, r);
            }
            // After every step, a read of a random id and of a random filter agree.
            int id = DifferentialWorkload.id(r);
            assertEquals(raw.findById(id, Document.class, COLLECTION), cached.findById(id, Document.class,
                    COLLECTION), "seed " + seed + " step " + step + " after " + what + ": findById(" + id + ")");
        }
    }

    private static String read(MongoTemplate cached, MongoTemplate raw, Random r) {
        Document filter = filter(r);
        Query query = new BasicQuery(filter).with(Sort.by("_id"));
        switch (r.nextInt(4)) {
            case 0 -> assertEquals(raw.find(query, Document.class, COLLECTION), cached.find(query, Document.class,
                    COLLECTION), "find " + filter.toJson());
            case 1 -> assertEquals(raw.count(new BasicQuery(filter), COLLECTION),
                    cached.count(new BasicQuery(filter), COLLECTION), "count " + filter.toJson());
            case 2 -> assertEquals(raw.findOne(query, Document.class, COLLECTION),
                    cached.findOne(query, Document.class, COLLECTION), "findOne " + filter.toJson());
            default -> assertEquals(sorted(raw.findDistinct(new BasicQuery(filter), "g", COLLECTION, Integer.class)),
                    sorted(cached.findDistinct(new BasicQuery(filter), "g", COLLECTION, Integer.class)),
                    "distinct g " + filter.toJson());
        }
        return "a read of " + filter.toJson();
    }

    /** A random filter of the oracle's generators, as a Document with every BSON type kept. */
    private static Document filter(Random r) {
        return Document.parse(DifferentialWorkload.filter(r).toJson(JsonWriterSettings.builder()
                .outputMode(JsonMode.EXTENDED).build()));
    }

    private static List<Integer> sorted(List<Integer> values) {
        List<Integer> out = new ArrayList<>(values);
        out.sort(null);
        return out;
    }

    private static String write(MongoTemplate cached, Random r) {
        int id = DifferentialWorkload.id(r);
        Query byId = Query.query(Criteria.where("_id").is(id));
        Query byFilter = new BasicQuery(filter(r));
        switch (r.nextInt(6)) {
            case 0 -> cached.upsert(byId, new Update().set("n", r.nextInt(100)).set("g", r.nextInt(5)), COLLECTION);
            case 1 -> cached.updateMulti(byFilter, new Update().inc("n", 1), COLLECTION);
            case 2 -> cached.remove(byId, COLLECTION);
            case 3 -> cached.findAndModify(byFilter, new Update().set("g", r.nextInt(5)),
                    FindAndModifyOptions.options().returnNew(true), Document.class, COLLECTION);
            case 4 -> cached.save(DifferentialWorkload.item(r, id), COLLECTION);
            default -> cached.findAndRemove(byFilter, Document.class, COLLECTION);
        }
        return "a write on " + id;
    }
}

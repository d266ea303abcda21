package io.mongocache.testing;

import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bson.BsonArray;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.types.Decimal128;

/**
 * The random data of the differential oracle (cache-core's {@code DifferentialIT}): the documents it stores, the
 * ids its operations aim at, and random filters and write models over those documents. Every value comes from the
 * caller's {@link Random}, so a seed replays exactly. The same generators feed the invalidation module's property
 * tests, which check the pure analysis against an in-memory evaluation of these filters.
 *
 * <p>Filters use this subset of the query language, and nothing else (the property tests' matcher evaluates exactly
 * it): top-level field conditions, {@code $and}/{@code $or} of such documents; on {@code _id} a plain value (an int,
 * long, double, decimal, string or embedded document) or {@code $eq}, {@code $ne}, {@code $in}, {@code $nin},
 * {@code $gt}, {@code $gte}, {@code $lt}, {@code $lte}, {@code $exists} and a regular expression inside {@code $in};
 * on {@code n}, {@code g}, {@code s}, {@code tags} and {@code nested.a} an equality or a range.
 */
public final class DifferentialWorkload {
    /** Ids of the stored documents are in {@code [0, KEY_SPACE)}. */
    public static final int KEY_SPACE = 120;

    private DifferentialWorkload() {}

    /** The document stored under {@code id}: numbers, a string, an array, a date, a decimal, an embedded document. */
    public static Document item(Random r, int id) {
        List<String> tags = new ArrayList<>();
        for (int t = r.nextInt(4); t > 0; t--) {
            tags.add("t" + r.nextInt(6));
        }
        return new Document("_id", id)
                .append("n", r.nextInt(100))
                .append("g", r.nextInt(5))
                .append("s", "name-" + r.nextInt(50))
                .append("tags", tags)
                .append("when", new Date(1_700_000_000_000L + r.nextInt(1_000_000) * 1000L))
                .append("price", new Decimal128(BigDecimal.valueOf(r.nextInt(100_000), 2)))
                .append("nested", new Document("a", r.nextInt(3)).append("b", List.of(r.nextInt(3), "x")));
    }

    /** The id an operation aims at: a hot set of a dozen documents takes three quarters of the traffic. */
    public static int id(Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(KEY_SPACE) : r.nextInt(12);
    }

    /** A random filter over {@link #item} documents, pinned to ids or not (see the class comment for its shapes). */
    public static BsonDocument filter(Random r) {
        BsonDocument filter = new BsonDocument();
        switch (r.nextInt(6)) {
            case 0, 1 -> filter.put("_id", idCondition(r));
            case 2 -> {
                filter.put("_id", idCondition(r));
                addFieldCondition(r, filter);
            }
            case 3 -> addFieldCondition(r, filter);
            case 4 -> {
                BsonArray branches = new BsonArray();
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    BsonDocument branch = new BsonDocument();
                    if (r.nextBoolean()) {
                        branch.put("_id", idCondition(r));
                    } else {
                        addFieldCondition(r, branch);
                    }
                    branches.add(branch);
                }
                filter.put(r.nextBoolean() ? "$or" : "$and", branches);
                if (r.nextInt(3) == 0) {
                    filter.put("_id", idCondition(r));
                }
            }
            default -> {
                // Several conditions on _id at once, e.g. {$in: [...], $ne: v}.
                BsonDocument condition = new BsonDocument();
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    BsonDocument one = idOperator(r);
                    condition.put(one.getFirstKey(), one.get(one.getFirstKey()));
                }
                filter.put("_id", condition);
            }
        }
        return filter;
    }

    /**
     * A random write model over {@link #item} documents: insert, update or replace, delete. Upserts filter on a plain
     * {@code _id} value, so the document they may insert has that id and not one the server makes up (two runs of a
     * sequence must store the same documents).
     */
    public static WriteModel<Document> writeModel(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> new InsertOneModel<>(item(r, r.nextInt(2 * KEY_SPACE)));
            case 1 -> {
                boolean upsert = r.nextInt(3) == 0;
                yield new UpdateOneModel<>(upsert ? upsertFilter(r) : filter(r), update(r),
                        new UpdateOptions().upsert(upsert));
            }
            case 2 -> {
                boolean upsert = r.nextInt(4) == 0;
                yield new UpdateManyModel<>(upsert ? upsertFilter(r) : filter(r), update(r),
                        new UpdateOptions().upsert(upsert));
            }
            case 3 -> {
                Document replacement = item(r, 0);
                replacement.remove("_id"); // a replacement keeps the matched document's _id
                boolean upsert = r.nextInt(3) == 0;
                yield new ReplaceOneModel<>(upsert ? upsertFilter(r) : filter(r), replacement,
                        new ReplaceOptions().upsert(upsert));
            }
            case 4, 5 -> new DeleteOneModel<>(filter(r));
            default -> new DeleteManyModel<>(filter(r));
        };
    }

    /** A filter on a plain {@code _id} value, maybe narrowed by a field condition. */
    private static BsonDocument upsertFilter(Random r) {
        BsonDocument filter = new BsonDocument("_id", idValue(r));
        if (r.nextBoolean()) {
            addFieldCondition(r, filter);
        }
        return filter;
    }

    private static BsonDocument update(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new BsonDocument("$set", new BsonDocument("n", new BsonInt32(r.nextInt(100))));
            case 1 -> new BsonDocument("$inc", new BsonDocument("n", new BsonInt32(1 + r.nextInt(5))));
            default -> new BsonDocument("$push", new BsonDocument("tags", new BsonString("t" + r.nextInt(6))));
        };
    }

    /** A condition on {@code _id}: a plain value or one operator. */
    private static BsonValue idCondition(Random r) {
        return r.nextInt(3) == 0 ? idValue(r) : idOperator(r);
    }

    private static BsonDocument idOperator(Random r) {
        return switch (r.nextInt(10)) {
            case 0, 1 -> new BsonDocument("$eq", idValue(r));
            case 2, 3, 4 -> new BsonDocument("$in", idValues(r));
            case 5 -> new BsonDocument("$nin", idValues(r));
            case 6 -> new BsonDocument("$ne", idValue(r));
            case 7 -> new BsonDocument(r.nextBoolean() ? "$gt" : "$gte", new BsonInt32(id(r)));
            case 8 -> new BsonDocument(r.nextBoolean() ? "$lt" : "$lte", new BsonInt32(id(r)));
            default -> new BsonDocument("$exists", org.bson.BsonBoolean.valueOf(r.nextInt(4) != 0));
        };
    }

    private static BsonArray idValues(Random r) {
        BsonArray values = new BsonArray();
        for (int i = r.nextInt(4); i > 0; i--) {
            values.add(r.nextInt(12) == 0 ? new BsonRegularExpression("^1") : idValue(r));
        }
        return values;
    }

    /**
     * An id in one of the forms MongoDB compares by value ({@code 5}, {@code 5L}, {@code 5.0},
     * {@code Decimal128("5.00")}), or a form that names no stored document (a fraction, a string, an embedded
     * document).
     */
    private static BsonValue idValue(Random r) {
        int id = id(r);
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3 -> new BsonInt32(id);
            case 4 -> new BsonInt64(id);
            case 5 -> new BsonDouble(id);
            case 6 -> new BsonDecimal128(new Decimal128(BigDecimal.valueOf(id * 100L, 2)));
            case 7 -> new BsonDouble(id + 0.5);
            case 8 -> new BsonString("k" + id);
            default -> new BsonDocument("a", new BsonInt32(id));
        };
    }

    private static void addFieldCondition(Random r, BsonDocument filter) {
        switch (r.nextInt(5)) {
            case 0 -> filter.put("n", new BsonDocument(r.nextBoolean() ? "$gte" : "$lt", new BsonInt32(r.nextInt(100))));
            case 1 -> filter.put("g", new BsonInt32(r.nextInt(5)));
            case 2 -> filter.put("s", new BsonString("name-" + r.nextInt(50)));
            case 3 -> filter.put("tags", new BsonString("t" + r.nextInt(6)));
            default -> filter.put("nested.a", new BsonInt32(r.nextInt(3)));
        }
    }
}

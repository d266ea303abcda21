package io.mongocache.coordination;

import com.mongodb.MongoClientSettings;
import com.mongodb.annotations.Immutable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mongocache.common.Checks;
import io.mongocache.invalidation.PipelineAnalysis;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * An idempotent read that may run on this node or be delegated to a peer: a find (filter, projection, sort, skip,
 * limit), an aggregation without {@code $out}/{@code $merge}, or a count. Writes cannot be expressed, so they are
 * never delegated. Immutable; the setters return a copy.
 */
@Immutable
public final class ReadRequest {
    /** What kind of read. */
    public enum Kind { FIND, AGGREGATE, COUNT }

    private final Kind kind;
    private final String database;
    private final String collection;
    private final BsonDocument filter;
    private final @Nullable BsonDocument projection;
    private final @Nullable BsonDocument sort;
    private final int skip;
    private final int limit;
    private final List<BsonDocument> pipeline;

    private ReadRequest(Kind kind, String database, String collection, BsonDocument filter,
            @Nullable BsonDocument projection, @Nullable BsonDocument sort, int skip, int limit,
            List<BsonDocument> pipeline) {
        this.kind = kind;
        this.database = database;
        this.collection = collection;
        this.filter = filter;
        this.projection = projection;
        this.sort = sort;
        this.skip = skip;
        this.limit = limit;
        this.pipeline = List.copyOf(pipeline);
    }

    private static String name(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(parameter + " must be a non-empty name");
        }
        return value;
    }

    private static BsonDocument bson(String parameter, @Nullable Bson value, boolean required) {
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(parameter + " must not be null (use new Document() for all)");
            }
            return null;
        }
        return value.toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry());
    }

    /** A find on {@code database.collection}. */
    public static ReadRequest find(String database, String collection, Bson filter) {
        return new ReadRequest(Kind.FIND, Checks.databaseName("database", database),
                name("collection", collection), bson("filter", filter, true), null, null, 0, 0, List.of());
    }

    /** A count of the documents matching {@code filter}; its result is one document {@code {n: <count>}}. */
    public static ReadRequest count(String database, String collection, Bson filter) {
        return new ReadRequest(Kind.COUNT, Checks.databaseName("database", database),
                name("collection", collection), bson("filter", filter, true), null, null, 0, 0, List.of());
    }

    /**
     * An aggregation.
     *
     * @throws IllegalArgumentException if the pipeline is null or has a stage that writes ({@code $out},
     *     {@code $merge}): writes are never delegated
     */
    public static ReadRequest aggregate(String database, String collection, List<? extends Bson> pipeline) {
        if (pipeline == null) {
            throw new IllegalArgumentException("pipeline must not be null");
        }
        List<BsonDocument> stages = new ArrayList<>();
        for (Bson stage : pipeline) {
            stages.add(bson("pipeline stage", stage, true));
        }
        String db = Checks.databaseName("database", database);
        String coll = name("collection", collection);
        // The cache's own reading of pipelines decides what writes ($out or $merge, which MongoDB takes only last).
        if (PipelineAnalysis.analyze(db, coll, stages).write() != null) {
            throw new IllegalArgumentException("pipeline: a stage writes (" + stages.get(stages.size() - 1)
                    .getFirstKey() + "); only reads can be delegated");
        }
        return new ReadRequest(Kind.AGGREGATE, db, coll, new BsonDocument(), null, null, 0, 0, stages);
    }

    private void requireFind(String parameter) {
        if (kind != Kind.FIND) {
            throw new IllegalArgumentException(parameter + " applies to a find, not to a " + kind);
        }
    }

    /** The fields to return (a find). */
    public ReadRequest projection(@Nullable Bson projection) {
        requireFind("projection");
        return new ReadRequest(kind, database, collection, filter, bson("projection", projection, false), sort, skip,
                limit, pipeline);
    }

    /** The order (a find). */
    public ReadRequest sort(@Nullable Bson sort) {
        requireFind("sort");
        return new ReadRequest(kind, database, collection, filter, projection, bson("sort", sort, false), skip, limit,
                pipeline);
    }

    /** Documents to skip (a find); must be >= 0. */
    public ReadRequest skip(int skip) {
        requireFind("skip");
        if (skip < 0) {
            throw new IllegalArgumentException("skip must be >= 0 but was " + skip);
        }
        return new ReadRequest(kind, database, collection, filter, projection, sort, skip, limit, pipeline);
    }

    /** At most this many documents (a find); must be >= 0, 0 meaning no limit. */
    public ReadRequest limit(int limit) {
        requireFind("limit");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 but was " + limit);
        }
        return new ReadRequest(kind, database, collection, filter, projection, sort, skip, limit, pipeline);
    }

    public Kind kind() {
        return kind;
    }

    public String database() {
        return database;
    }

    public String collection() {
        return collection;
    }

    /**
     * Runs the read on {@code db}, handing each result document to {@code sink} as the server's raw BSON (a peer
     * forwards it as is). Bound it with the database's client-side timeout ({@code db.withTimeout(…)}), which also
     * covers waiting for a connection.
     */
    void run(MongoDatabase db, Consumer<RawBsonDocument> sink) {
        MongoCollection<RawBsonDocument> coll = db.getCollection(collection, RawBsonDocument.class);
        switch (kind) {
            case FIND -> {
                FindIterable<RawBsonDocument> find = coll.find(filter);
                if (projection != null) {
                    find = find.projection(projection);
                }
                if (sort != null) {
                    find = find.sort(sort);
                }
                find.skip(skip).limit(limit).forEach(sink);
            }
            case AGGREGATE -> coll.aggregate(pipeline).forEach(sink);
            case COUNT -> sink.accept(new RawBsonDocument(new BsonDocument("n",
                    new org.bson.BsonInt64(coll.countDocuments(filter))), new org.bson.codecs.BsonDocumentCodec()));
        }
    }

    /** The wire form used between nodes. */
    BsonDocument toBson() {
        BsonDocument d = new BsonDocument("kind", new BsonString(kind.name()))
                .append("db", new BsonString(database)).append("coll", new BsonString(collection))
                .append("filter", filter).append("skip", new BsonInt32(skip)).append("limit", new BsonInt32(limit))
                .append("pipeline", new BsonArray(new ArrayList<BsonValue>(pipeline)));
        if (projection != null) {
            d.append("projection", projection);
        }
        if (sort != null) {
            d.append("sort", sort);
        }
        return d;
    }

    /** Reads the wire form; a malformed request is an {@link IllegalArgumentException}. */
    static ReadRequest fromBson(BsonDocument d) {
        try {
            List<BsonDocument> stages = new ArrayList<>();
            for (BsonValue v : d.getArray("pipeline")) {
                stages.add(v.asDocument());
            }
            Kind kind = Kind.valueOf(d.getString("kind").getValue());
            if (kind == Kind.AGGREGATE) {
                return aggregate(d.getString("db").getValue(), d.getString("coll").getValue(), stages);
            }
            return new ReadRequest(kind, Checks.databaseName("database", d.getString("db").getValue()),
                    name("collection", d.getString("coll").getValue()), d.getDocument("filter"),
                    d.containsKey("projection") ? d.getDocument("projection") : null,
                    d.containsKey("sort") ? d.getDocument("sort") : null, d.getInt32("skip").getValue(),
                    d.getInt32("limit").getValue(), List.of());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed delegated read: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return kind + " " + database + "." + collection;
    }
}

package io.mongocache.internal;

import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import java.util.concurrent.TimeUnit;
import org.bson.BsonInt32;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * Option objects of the collection-level reads ({@code CountOptions}, …) are classes the driver may extend
 * with new fields. Each is checked by rebuilding it from the fields this library knows and comparing the
 * driver's own {@code toString()}: a field we do not know makes them differ, and the read bypasses the cache.
 */
final class OptionsKeys {
    private OptionsKeys() {}

    static boolean countOptionsKnown(CountOptions o) {
        CountOptions known = new CountOptions()
                .hint(o.getHint())
                .hintString(o.getHintString())
                .limit(o.getLimit())
                .skip(o.getSkip())
                .maxTime(o.getMaxTime(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
                .collation(o.getCollation())
                .comment(o.getComment());
        return known.toString().equals(o.toString());
    }

    static void count(KeyBuilder key, CountOptions o, Class<?> documentClass, CodecRegistry registry) {
        key.bson("hint", o.getHint(), documentClass, registry)
                .string("hintString", o.getHintString())
                .value("limit", o.getLimit() == 0 ? null : new BsonInt32(o.getLimit()))
                .value("skip", o.getSkip() == 0 ? null : new BsonInt32(o.getSkip()))
                .value("collation", o.getCollation() == null ? null : o.getCollation().asDocument());
    }

    static boolean estimatedCountOptionsKnown(EstimatedDocumentCountOptions o) {
        EstimatedDocumentCountOptions known = new EstimatedDocumentCountOptions()
                .maxTime(o.getMaxTime(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
                .comment(o.getComment());
        return known.toString().equals(o.toString());
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.expr;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Lease records in MongoDB, changed only by single atomic {@code findOneAndUpdate} calls — never read then
 * written. Expiry is judged by the server's clock: the record keeps the server time of its last renewal
 * ({@code $currentDate}) and its duration, and "expired" is the filter
 * {@code $expr: {$lt: [{$add: ["$renewedAt", "$durationMillis"]}, "$$NOW"]}}.
 *
 * <pre>
 * { _id: "lease name", holder: "node id", epoch: 7, renewedAt: ISODate(server time), durationMillis: 15000 }
 * </pre>
 *
 * <ul>
 *   <li>Acquire: match the name and "expired", set the holder and duration, {@code $inc} the epoch, stamp the
 *       renewal — with upsert, so the first acquisition creates the record (epoch 1). If the record exists and is
 *       not expired the filter does not match, the upsert collides on {@code _id}, and the duplicate-key error
 *       means "held elsewhere": a result, not an exception.
 *   <li>Renew: match name, holder and epoch; stamp the renewal. No match means the lease was lost.
 *   <li>Release: match name, holder and epoch; move the renewal to the epoch of time, so it is expired at once.
 * </ul>
 */
@ThreadSafe
public final class LeaseStore implements LeaderElector.Leases {
    private final MongoCollection<Document> leases;

    public LeaseStore(MongoCollection<Document> leases) {
        if (leases == null) {
            throw new IllegalArgumentException("leases must not be null");
        }
        this.leases = leases;
    }

    private static Bson expired() {
        return expr(new Document("$lt", List.of(new Document("$add", List.of("$renewedAt", "$durationMillis")),
                "$$NOW")));
    }

    /** Takes the lease if it is free or expired; empty if another node holds it. */
    @Override
    public Optional<Lease> tryAcquire(String name, String node, Duration leaseDuration) {
        try {
            Document after = leases.findOneAndUpdate(and(eq("_id", name), expired()),
                    Updates.combine(Updates.set("holder", node), Updates.set("durationMillis", leaseDuration.toMillis()),
                            Updates.inc("epoch", 1L), Updates.currentDate("renewedAt")),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
            if (after == null || !node.equals(after.getString("holder"))) {
                return Optional.empty();
            }
            return Optional.of(new Lease(name, node, after.get("epoch", Number.class).longValue()));
        } catch (MongoWriteException e) {
            if (ErrorCategory.fromErrorCode(e.getError().getCode()) == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty();
            }
            throw e;
        } catch (MongoCommandException e) {
            if (ErrorCategory.fromErrorCode(e.getErrorCode()) == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Renews a held lease; false if it is no longer ours (taken over, or released). */
    @Override
    public boolean renew(Lease lease) {
        return leases.findOneAndUpdate(and(eq("_id", lease.name()), eq("holder", lease.holder()),
                eq("epoch", lease.epoch())), Updates.currentDate("renewedAt")) != null;
    }

    /** Gives a held lease up at once; false if it was no longer ours. */
    @Override
    public boolean release(Lease lease) {
        return leases.updateOne(and(eq("_id", lease.name()), eq("holder", lease.holder()),
                eq("epoch", lease.epoch())), Updates.set("renewedAt", new Date(0))).getMatchedCount() == 1;
    }

    /** The current record, for operators and tests. */
    public Optional<Document> read(String name) {
        return Optional.ofNullable(leases.find(eq("_id", name)).first());
    }
}

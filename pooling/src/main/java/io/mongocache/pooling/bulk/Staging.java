package io.mongocache.pooling.bulk;

import io.mongocache.exceptions.MongoCacheException;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.bson.BsonDocument;

/**
 * The temporary collections of one import or copy into one database, and putting them into place
 * together at the end.
 *
 * <p>Why all at the end: an input that turns out to be bad in its last line (malformed, truncated,
 * counts that do not match) then changes nothing at all, not even the collections before the bad
 * one. The temporaries are named {@code <name>.__importing_<run>}, with a random run tag, so two
 * tasks loading the same collection at once do not share a temporary (the later rename wins), and
 * leftovers of a killed JVM are recognisable; exports and copies skip such names.
 *
 * <p>Failure modes:
 * <ul>
 *   <li>{@link #discardAll(Throwable)} drops every temporary; a drop that fails is attached to the
 *       task's exception as a suppressed exception naming the collection to drop by hand. An
 *       interrupted thread has its interrupt cleared while dropping (the driver would refuse to
 *       talk to the server) and restored after.
 *   <li>{@link #publishAll()} renames one collection after the other; MongoDB has no rename of
 *       several collections at once. If a rename fails, the collections renamed before it are in
 *       place and complete, the others are dropped, and the exception says which are which, so
 *       nothing is left half loaded or unreported.
 *   <li>A JVM killed mid-task leaves its temporaries behind (never the target collections in a
 *       partial state); find them by the {@code .__importing_} marker.
 * </ul>
 * Not thread-safe; one task uses it from one thread.
 */
final class Staging {

    private final MongoDatabase target;
    private final int batchSize;
    private final String runTag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final List<StagedCollection> staged = new ArrayList<>();

    Staging(MongoDatabase target, int batchSize) {
        this.target = target;
        this.batchSize = batchSize;
    }

    /**
     * Creates the temporary collection for {@code name}.
     *
     * @throws RejectedInputException if MongoDB refuses the options
     */
    StagedCollection stage(String name, BsonDocument options, long origin) {
        StagedCollection collection = StagedCollection.create(target, name,
                name + ExportFormat.STAGING_MARKER + runTag, options, batchSize, origin);
        staged.add(collection);
        return collection;
    }

    /** Renames every temporary into place, in the order they were staged. */
    void publishAll() {
        List<String> published = new ArrayList<>();
        for (int i = 0; i < staged.size(); i++) {
            StagedCollection collection = staged.get(i);
            try {
                collection.publish();
                published.add(collection.name());
            } catch (RuntimeException e) {
                List<String> notPublished = new ArrayList<>();
                for (StagedCollection rest : staged.subList(i, staged.size())) {
                    notPublished.add(rest.name());
                }
                MongoCacheException failure = new MongoCacheException("renaming '" + collection.temporaryName()
                        + "' to '" + collection.name() + "' in database '" + target.getName() + "' failed; "
                        + "complete and in place: " + published + "; not loaded (old contents kept): " + notPublished, e);
                discard(staged.subList(i, staged.size()), failure);
                staged.clear();
                throw failure;
            }
        }
        staged.clear();
    }

    /** Drops every temporary, attaching any drop that fails to {@code failure}. */
    void discardAll(Throwable failure) {
        discard(staged, failure);
        staged.clear();
    }

    private void discard(List<StagedCollection> collections, Throwable failure) {
        boolean interrupted = Thread.interrupted();
        try {
            for (StagedCollection collection : collections) {
                try {
                    collection.discard();
                } catch (RuntimeException dropFailed) {
                    failure.addSuppressed(new MongoCacheException("could not drop the temporary collection '"
                            + collection.temporaryName() + "' of database '" + target.getName()
                            + "'; drop it by hand", dropFailed));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.mongocache.testing;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * mongo-java-server's in-memory backend, plus what a real server reports about a collection's default collation:
 * {@code create} with a {@code collation} (other than {@code {locale: "simple"}}) is remembered, and
 * {@code listIndexes} and {@code listCollections} list it where MongoDB does — on the {@code _id_} index, and in
 * {@code options.collation} and {@code idIndex.collation}. {@code drop}, {@code dropDatabase} and
 * {@code renameCollection} move or forget it. Queries still compare strings by their binary value: this server
 * has no collations, so tests can see what a cache learned, not the server's matching.
 *
 * <p>Concurrency: the remembered collations are a concurrent map; commands arrive on the server's threads.
 */
class CollationListingBackend extends MemoryBackend {
    /** {@code database.collection} to the collation it was created with. */
    private final Map<String, Document> collations = new ConcurrentHashMap<>();

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        Document reply = super.handleCommand(channel, database, command, query);
        switch (command) {
            case "create" -> {
                if (query.get("collation") instanceof Document collation && !"simple".equals(collation.get("locale"))) {
                    collations.put(database + "." + query.get("create"), collation);
                }
            }
            case "drop" -> collations.remove(database + "." + query.get("drop"));
            case "dropDatabase" -> collations.keySet().removeIf(ns -> ns.startsWith(database + "."));
            case "renameCollection" -> {
                Document collation = collations.remove(String.valueOf(query.get("renameCollection")));
                if (collation != null) {
                    collations.put(String.valueOf(query.get("to")), collation);
                }
            }
            case "listIndexes" -> {
                Document collation = collations.get(database + "." + query.get("listIndexes"));
                if (collation != null) {
                    for (Document index : firstBatch(reply)) {
                        if ("_id_".equals(index.get("name"))) {
                            index.put("collation", collation.clone());
                        }
                    }
                }
            }
            case "listCollections" -> {
                for (Document info : firstBatch(reply)) {
                    Document collation = collations.get(database + "." + info.get("name"));
                    if (collation != null) {
                        ((Document) info.get("options")).put("collation", collation.clone());
                        if (info.get("idIndex") instanceof Document idIndex) {
                            idIndex.put("collation", collation.clone());
                        }
                    }
                }
            }
            default -> { }
        }
        return reply;
    }

    @SuppressWarnings("unchecked")
    private static List<Document> firstBatch(Document reply) {
        Object cursor = reply.get("cursor");
        return cursor instanceof Document c && c.get("firstBatch") instanceof List<?> batch
                ? (List<Document>) batch : List.of();
    }
}

package io.mongocache.coordination;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.expr;

import com.mongodb.annotations.ThreadSafe;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.mongocache.common.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * The nodes of one deployment, in the state database, readable by operators:
 *
 * <pre>
 * { _id: "node id", lease: "watcher", host: "app-3", pid: 4711, startedAt: ISODate,
 *   heartbeatAt: ISODate(server time), leaderEpoch: 7 | null, channel: "mc:dlg:node id",
 *   capacity: { tenant42: 3, reports: 0 } }
 * </pre>
 *
 * <p>{@code lease} names the deployment (the {@code Coordinator}'s lease name): deployments that share a state
 * database see only their own nodes, so none delegates a read to, or counts, a node of another.
 *
 * {@code capacity} is, per database open to delegation, how many more commands the node's pool can run without
 * waiting. A node is alive while its heartbeat (stamped with the server's clock) is younger than
 * {@code staleAfter}; a node that closes removes its record.
 */
@ThreadSafe
public final class NodeRegistry {
    private final MongoCollection<Document> nodes;
    private final String deployment;
    private final NodeInfo self;
    private final Duration staleAfter;

    /**
     * What a node says about itself.
     *
     * @param nodeId unique per process
     * @param host the machine's name
     * @param pid the process id
     * @param startedAt when the node started
     * @param channel where peers send it delegated reads (null without delegation)
     */
    public record NodeInfo(String nodeId, String host, long pid, Instant startedAt, @Nullable String channel) {}

    /**
     * A live peer as last seen.
     *
     * @param nodeId its id
     * @param host its machine
     * @param channel where it takes delegated reads (null without delegation)
     * @param leaderEpoch the epoch it leads under, or null
     * @param capacity free connections per database
     */
    public record Peer(String nodeId, String host, @Nullable String channel, @Nullable Long leaderEpoch,
            Map<String, Integer> capacity) {
        /** Free connections advertised for {@code database}, 0 if none. */
        public int capacity(String database) {
            return capacity.getOrDefault(database, 0);
        }
    }

    /**
     * @param nodes the collection of node records
     * @param deployment the deployment's lease name: only records of the same deployment are read
     * @param self this node
     * @param staleAfter how long a node counts as alive after its last heartbeat
     */
    public NodeRegistry(MongoCollection<Document> nodes, String deployment, NodeInfo self, Duration staleAfter) {
        if (nodes == null || self == null) {
            throw new IllegalArgumentException("nodes and self are required");
        }
        this.nodes = nodes;
        this.deployment = Checks.notNull("deployment", deployment);
        this.self = self;
        this.staleAfter = Checks.positive("staleAfter", staleAfter);
    }

    /** Writes this node's record: alive now (server time), its leadership, its free capacity. */
    public void heartbeat(@Nullable Long leaderEpoch, Map<String, Integer> capacity) {
        Bson update = Updates.combine(Updates.set("lease", deployment), Updates.set("host", self.host()),
                Updates.set("pid", self.pid()), Updates.set("startedAt", Date.from(self.startedAt())),
                Updates.set("channel", self.channel()), Updates.set("leaderEpoch", leaderEpoch), Updates.set("capacity", new Document(capacity)),
                Updates.currentDate("heartbeatAt"));
        nodes.updateOne(eq("_id", self.nodeId()), update, new UpdateOptions().upsert(true));
    }

    /** Every node whose heartbeat is younger than {@code staleAfter} by the server's clock, this one included. */
    public List<Peer> alive() {
        Bson fresh = and(eq("lease", deployment), expr(new Document("$gt", List.of(
                new Document("$add", List.of("$heartbeatAt", staleAfter.toMillis())), "$$NOW"))));
        List<Peer> peers = new ArrayList<>();
        for (Document d : nodes.find(fresh)) {
            Map<String, Integer> capacity = new LinkedHashMap<>();
            Document c = d.get("capacity", Document.class);
            if (c != null) {
                c.forEach((db, n) -> capacity.put(db, n instanceof Number num ? num.intValue() : 0));
            }
            Number epoch = d.get("leaderEpoch", Number.class);
            peers.add(new Peer(d.getString("_id"), String.valueOf(d.get("host")), d.getString("channel"),
                    epoch == null ? null : epoch.longValue(), Map.copyOf(capacity)));
        }
        return peers;
    }

    /** Every record of this deployment, stale ones included, as stored (for operators). */
    public List<Document> records() {
        return nodes.find(eq("lease", deployment)).into(new ArrayList<>());
    }

    /** Removes this node's record (on close). */
    public void remove() {
        nodes.deleteOne(eq("_id", self.nodeId()));
    }
}

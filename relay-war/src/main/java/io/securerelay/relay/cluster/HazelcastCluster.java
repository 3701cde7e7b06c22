package io.securerelay.relay.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.routing.ClusterRouting;
import io.securerelay.relay.routing.Router;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cluster routing on Payara Micro's Hazelcast member.
 *
 * <ul>
 * <li><b>Directory</b>: the {@code IMap} {@value #DIRECTORY}, session ID (hex) to the UUID of the
 * member whose connection proved the ID's key. Written on registration ({@code put}: the previous
 * owner, if another member, is told to close its connection with 4001), removed on close only if
 * still ours ({@code remove(key, self)}), and purged of a member's entries by the survivors when it
 * leaves or dies ({@link InitialMembershipListener}). Every member keeps a local replica of the
 * entries of other members (an entry listener), so forwarding a frame costs no directory lookup.
 * <li><b>Transport</b>: each member listens on {@value #STRIPES} plain {@code ITopic}s of its own
 * ({@value #TOPIC_PREFIX}{@code <member UUID>.<stripe>}); a frame goes to the stripe chosen by its
 * sender's ID. A plain topic keeps the order of the messages one member publishes to one listener,
 * and holds nothing (no ring buffer, unlike a reliable topic): a frame for a member that dies on
 * the way is lost, as it would be on a single relay that dies, and the clients' end-to-end
 * acknowledgements resend it.
 * <li><b>Failures</b>: a member that cannot deliver a forwarded frame answers UNDELIVERABLE and the
 * sender's member sends the sender the ERROR frame it would get on one instance.
 * </ul>
 *
 * <p>Thread-safe. Holds no frame: payloads are copied into one message and handed to Hazelcast.
 */
final class HazelcastCluster implements ClusterRouting, AutoCloseable {

    static final String DIRECTORY = "secure-relay.directory";
    static final String TOPIC_PREFIX = "secure-relay.forward.";
    /** Topics per member: frames of different senders are delivered by different event threads. */
    static final int STRIPES = 4;

    private static final Logger LOG = Logger.getLogger(HazelcastCluster.class.getName());

    private final HazelcastInstance hz;
    private final Router router;
    private final ClusterCounters counters;
    private final IMap<String, String> directory;
    private final UUID self;
    private final String selfText;
    /** Session IDs held by other members (a replica of their directory entries). */
    private final ConcurrentMap<SessionId, UUID> remote = new ConcurrentHashMap<>();
    private final Set<UUID> live = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, ITopic<byte[]>> topics = new ConcurrentHashMap<>();
    private final ExecutorService housekeeping = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relay-cluster-housekeeping");
        t.setDaemon(true);
        return t;
    });
    private final List<UUID> topicRegistrations = new ArrayList<>();
    private UUID membershipRegistration;
    private UUID entryRegistration;

    private HazelcastCluster(HazelcastInstance hz, Router router, ClusterCounters counters) {
        this.hz = hz;
        this.router = router;
        this.counters = counters;
        this.directory = hz.getMap(DIRECTORY);
        this.self = hz.getCluster().getLocalMember().getUuid();
        this.selfText = self.toString();
    }

    /** Joins the relay cluster on {@code hz}: listens on this member's topics, the directory and membership. */
    static HazelcastCluster start(HazelcastInstance hz, Router router, ClusterCounters counters) {
        HazelcastCluster c = new HazelcastCluster(hz, router, counters);
        c.membershipRegistration = hz.getCluster().addMembershipListener(c.new Membership());
        c.entryRegistration = c.directory.addEntryListener(c.new Replica(), true);
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            c.topicRegistrations.add(c.topic(c.self, stripe).addMessageListener(c::onMessage));
        }
        return c;
    }

    UUID self() {
        return self;
    }

    /** Members of the cluster, this one included, as "uuid-prefix address" (this one marked). */
    List<String> members() {
        List<String> out = new ArrayList<>();
        for (Member m : hz.getCluster().getMembers()) {
            out.add(m.getUuid().toString().substring(0, 8) + " " + m.getAddress().getHost() + ":"
                    + m.getAddress().getPort() + (m.localMember() ? " (this instance)" : ""));
        }
        return out;
    }

    int memberCount() {
        return live.size();
    }

    /** Entries of the whole cluster's directory (a cluster-wide call: at monitoring pace only). */
    long directorySize() {
        try {
            return directory.size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void registered(SessionId id) {
        remote.remove(id);
        String previous;
        try {
            previous = directory.put(id.toHex(), selfText);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster directory unavailable; session {0} is reachable on this instance only: {1}",
                    new Object[] {id.shortForm(), e.toString()});
            return;
        }
        if (previous != null && !previous.equals(selfText)) {
            UUID old = parseUuid(previous);
            if (old != null && live.contains(old)) {
                publish(old, stripe(id), new ClusterMessage.TakenOver(id));
            }
        }
    }

    @Override
    public void unregistered(SessionId id) {
        try {
            directory.remove(id.toHex(), selfText);
        } catch (RuntimeException e) {
            // Shutting down, or the grid is gone: the survivors purge this member's entries.
            LOG.log(Level.FINE, "directory remove of {0} failed: {1}", new Object[] {id.shortForm(), e.toString()});
        }
    }

    @Override
    public boolean forward(SessionId from, SessionId to, ByteBuffer payload) {
        UUID where = remote.get(to);
        if (where == null) {
            // Not in the replica (yet): ask the directory itself.
            String owner;
            try {
                owner = directory.get(to.toHex());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "directory lookup failed: {0}", e.toString());
                return false;
            }
            where = owner == null ? null : parseUuid(owner);
            if (where == null || where.equals(self)) {
                return false;
            }
            remote.put(to, where);
        }
        if (!live.contains(where)) {
            remote.remove(to, where);
            return false;
        }
        if (!publish(where, stripe(from), new ClusterMessage.Forward(from, to, payload))) {
            return false;
        }
        counters.forwarded();
        return true;
    }

    private void onMessage(Message<byte[]> message) {
        ClusterMessage m;
        try {
            m = ClusterMessage.decode(message.getMessageObject());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignored a malformed message from cluster member {0}: {1}",
                    new Object[] {message.getPublishingMember(), e.getMessage()});
            return;
        }
        Member publisher = message.getPublishingMember();
        UUID origin = publisher == null ? null : publisher.getUuid();
        if (m instanceof ClusterMessage.Forward f) {
            counters.received();
            boolean local = router.deliverForwarded(f.from(), f.to(), f.payload(),
                    code -> bounce(origin, code, f));
            if (!local) {
                bounce(origin, ErrorCode.PEER_NOT_CONNECTED, f);
            }
        } else if (m instanceof ClusterMessage.Undeliverable u) {
            if (origin != null) {
                remote.remove(u.to(), origin);
            }
            router.refusedElsewhere(u.sender(), u.to(), u.code());
        } else if (m instanceof ClusterMessage.TakenOver t) {
            router.takenOverElsewhere(t.id());
        }
    }

    /** A forwarded frame was not delivered here: the sender's member tells the sender. */
    private void bounce(UUID origin, ErrorCode code, ClusterMessage.Forward f) {
        counters.undeliverable();
        if (origin != null && live.contains(origin)) {
            publish(origin, stripe(f.from()), new ClusterMessage.Undeliverable(code, f.from(), f.to()));
        }
    }

    private boolean publish(UUID member, int stripe, ClusterMessage m) {
        try {
            topic(member, stripe).publish(ClusterMessage.encode(m));
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "publish to cluster member {0} failed: {1}", new Object[] {member, e.toString()});
            return false;
        }
    }

    private ITopic<byte[]> topic(UUID member, int stripe) {
        return topics.computeIfAbsent(TOPIC_PREFIX + member + "." + stripe, hz::getTopic);
    }

    private static int stripe(SessionId id) {
        return Math.floorMod(id.hashCode(), STRIPES);
    }

    private static UUID parseUuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A member left or died: forget where it was, and purge its directory entries. */
    private void memberGone(UUID member) {
        live.remove(member);
        remote.values().removeIf(member::equals);
        topics.keySet().removeIf(name -> name.startsWith(TOPIC_PREFIX + member + "."));
        housekeeping.execute(() -> {
            try {
                directory.removeAll(Predicates.equal("this", member.toString()));
                // Entries of this member kept by partitions that were lost with it come back.
                for (SessionId id : router.localSessionIds()) {
                    directory.putIfAbsent(id.toHex(), selfText);
                }
                LOG.log(Level.INFO, "cluster member {0} left: its sessions were removed from the directory",
                        member.toString().substring(0, 8));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "purging the directory entries of member {0} failed: {1}",
                        new Object[] {member, e.toString()});
            }
        });
    }

    @Override
    public void close() {
        try {
            hz.getCluster().removeMembershipListener(membershipRegistration);
            directory.removeEntryListener(entryRegistration);
            for (int stripe = 0; stripe < STRIPES; stripe++) {
                topic(self, stripe).removeMessageListener(topicRegistrations.get(stripe));
            }
            directory.removeAll(Predicates.equal("this", selfText));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "leaving the relay cluster: {0}", e.toString());
        }
        housekeeping.shutdownNow();
    }

    private final class Membership implements InitialMembershipListener {
        @Override
        public void init(InitialMembershipEvent event) {
            for (Member m : event.getMembers()) {
                live.add(m.getUuid());
            }
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            live.add(event.getMember().getUuid());
            LOG.log(Level.INFO, "cluster member {0} joined at {1}",
                    new Object[] {event.getMember().getUuid().toString().substring(0, 8), event.getMember().getAddress()});
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            memberGone(event.getMember().getUuid());
        }
    }

    /** Keeps {@link #remote} in step with the directory entries of other members. */
    private final class Replica implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String>, EntryEvictedListener<String, String>,
            EntryExpiredListener<String, String>, MapClearedListener {

        @Override
        public void entryAdded(com.hazelcast.core.EntryEvent<String, String> e) {
            put(e.getKey(), e.getValue());
        }

        @Override
        public void entryUpdated(com.hazelcast.core.EntryEvent<String, String> e) {
            put(e.getKey(), e.getValue());
        }

        @Override
        public void entryRemoved(com.hazelcast.core.EntryEvent<String, String> e) {
            drop(e.getKey(), e.getOldValue());
        }

        @Override
        public void entryEvicted(com.hazelcast.core.EntryEvent<String, String> e) {
            drop(e.getKey(), e.getOldValue());
        }

        @Override
        public void entryExpired(com.hazelcast.core.EntryEvent<String, String> e) {
            drop(e.getKey(), e.getOldValue());
        }

        @Override
        public void mapCleared(com.hazelcast.map.MapEvent event) {
            remote.clear();
        }

        private void put(String key, String value) {
            SessionId id = parseId(key);
            UUID member = value == null ? null : parseUuid(value);
            if (id == null || member == null) {
                return;
            }
            if (member.equals(self)) {
                remote.remove(id);
            } else {
                remote.put(id, member);
            }
        }

        private void drop(String key, String oldValue) {
            SessionId id = parseId(key);
            UUID member = oldValue == null ? null : parseUuid(oldValue);
            if (id != null && member != null) {
                remote.remove(id, member);
            } else if (id != null) {
                remote.remove(id);
            }
        }

        private SessionId parseId(String key) {
            try {
                return SessionId.parse(key);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}

package io.securerelay.relay;

import io.securerelay.protocol.relay.InvalidRegistrationException;
import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RegistrationProof;
import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes frames between connections by session ID. Its whole state is the live routing table
 * (session ID to connection); it never keeps a frame and never reads a payload.
 *
 * <p>Registration is a proof: every connection is sent a fresh CHALLENGE, and REGISTER must sign
 * it with the routing key whose hash is the session ID ({@link RegistrationProof}). Nobody else
 * can claim an ID; its owner can, from a new connection, which then takes the ID over (the older
 * connection is closed with 4001).
 *
 * <p>Thread-safe: the container calls it from many threads at once, one frame at a time per
 * connection.
 */
@ApplicationScoped
public class Router {

    private static final Logger LOG = Logger.getLogger(Router.class.getName());

    private final ConcurrentMap<SessionId, RelayConnection> routes = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private volatile RelayCounters counters = RelayCounters.unregistered();
    /** Cluster mode only (see {@link ClusterRouting}); {@code null} on a single instance. */
    private volatile ClusterRouting cluster;

    public Router() {
        this(new SecureRandom());
    }

    Router(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Counts ERROR answers in the relay's metrics (without it, in counters registered nowhere). */
    @Inject
    void useMetrics(RelayMetrics metrics) {
        this.counters = metrics.counters();
    }

    /** A new connection: sends it the CHALLENGE its REGISTER will have to sign. */
    public void onOpen(RelayConnection connection) {
        byte[] nonce = new byte[RegistrationProof.NONCE_LENGTH];
        random.nextBytes(nonce);
        if (connection.challenged(nonce)) {
            connection.peer().send(RelayCodec.encode(new RelayFrame.Challenge(nonce)), ignored -> { });
        }
    }

    /** Handles one binary frame received on {@code from} now. */
    public void onFrame(RelayConnection from, ByteBuffer frame) {
        onFrame(from, frame, System.nanoTime());
    }

    /**
     * Handles one binary frame received on {@code from} at {@code receivedNanos}
     * ({@link System#nanoTime()}, the start of the relay latency metric).
     */
    public void onFrame(RelayConnection from, ByteBuffer frame, long receivedNanos) {
        if (from.state() == RelayConnection.State.CLOSED) {
            return; // closing or taken over: nothing it sends counts any more
        }
        if (!from.admit(frame.remaining())) {
            LOG.log(Level.FINE, "closing {0}: rate limit exceeded", from);
            from.peer().close(RelayCloseCodes.RATE_LIMITED, "rate limit exceeded");
            return;
        }
        RelayFrame.ClientFrame decoded;
        try {
            decoded = RelayCodec.decodeClientFrame(frame);
        } catch (MalformedFrameException e) {
            LOG.log(Level.FINE, "closing {0}: {1}", new Object[] {from, e.getMessage()});
            from.peer().close(RelayCloseCodes.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        if (decoded instanceof RelayFrame.Register register) {
            onRegister(from, register);
        } else if (decoded instanceof RelayFrame.Send send) {
            onSend(from, send, receivedNanos);
        } else {
            throw new AssertionError("unhandled client frame " + decoded.getClass());
        }
    }

    /** Forgets {@code connection}: frames for its session ID are no longer routed to it. */
    public void onClose(RelayConnection connection) {
        SessionId id = connection.close();
        if (id != null && routes.remove(id, connection)) {
            LOG.log(Level.FINE, "unregistered {0}", connection);
            ClusterRouting c = cluster;
            if (c != null) {
                c.unregistered(id);
            }
        }
    }

    /** Number of registered session IDs (live routes). */
    public int routeCount() {
        return routes.size();
    }

    /**
     * Pairs of registered sessions of which at least one last sent to the other, as the short
     * forms (8 hex digits) of their IDs, at most {@code limit}; each pair once. For the admin
     * console: it walks the routing table, so call it at monitoring pace, not per frame.
     */
    public List<String[]> activePairs(int limit) {
        List<String[]> pairs = new ArrayList<>();
        for (var e : routes.entrySet()) {
            if (pairs.size() >= limit) {
                break;
            }
            SessionId id = e.getKey();
            SessionId peer = e.getValue().lastPeer();
            if (peer == null || peer.equals(id) || !routes.containsKey(peer)) {
                continue;
            }
            RelayConnection back = routes.get(peer);
            boolean mutual = back != null && id.equals(back.lastPeer());
            if (mutual && id.toHex().compareTo(peer.toHex()) > 0) {
                continue; // listed from the other side
            }
            pairs.add(new String[] {id.shortForm(), peer.shortForm()});
        }
        return pairs;
    }

    // ---- Cluster mode (io.securerelay.relay.cluster): called by the cluster, never on one instance ----

    /** Cluster mode: from now on, SENDs to IDs held by no local connection go to {@code routing}. */
    public void joinCluster(ClusterRouting routing) {
        this.cluster = Objects.requireNonNull(routing, "routing");
    }

    /** Cluster mode ends (undeployment): back to local routing only. */
    public void leaveCluster() {
        this.cluster = null;
    }

    /** The session IDs registered on this instance (the cluster re-announces them after a member left). */
    public List<SessionId> localSessionIds() {
        return new ArrayList<>(routes.keySet());
    }

    /**
     * Delivers a payload forwarded by another instance from {@code from} to the local connection
     * of {@code to}, as a SEND on this instance would be.
     *
     * @param onFailure called with the reason if the frame could not be written
     * @return false if no local connection holds {@code to}
     */
    public boolean deliverForwarded(SessionId from, SessionId to, ByteBuffer payload,
            java.util.function.Consumer<ErrorCode> onFailure) {
        RelayConnection target = routes.get(to);
        if (target == null) {
            return false;
        }
        target.peer().send(RelayCodec.deliver(from, payload), System.nanoTime(), failure -> {
            LOG.log(Level.FINE, "forwarded delivery -> {0} failed: {1}", new Object[] {target, failure.toString()});
            onFailure.accept(ErrorCode.DELIVERY_FAILED);
        });
        return true;
    }

    /**
     * Runs {@code deliveries} (calls of {@link #deliverForwarded}) with one flush per receiver at
     * its end, as the frames of one client read are: a batch from another instance leaves in a few
     * TLS records instead of one per frame.
     */
    public void deliverTogether(Runnable deliveries) {
        TyrusFastPath.asOneRead(deliveries);
    }

    /**
     * Another instance could not deliver a frame that the local connection of {@code sender} sent
     * to {@code to}: that connection gets the ERROR it would get on one instance.
     */
    public void refusedElsewhere(SessionId sender, SessionId to, ErrorCode code) {
        RelayConnection from = routes.get(sender);
        counters.refused(code);
        if (from != null && from.state() == RelayConnection.State.REGISTERED) {
            from.peer().send(RelayCodec.encode(new RelayFrame.Error(code, to)), ignored -> { });
        }
    }

    /**
     * The owner of {@code id} proved its key on another instance: the local connection holding
     * {@code id}, if any, is closed with 4001 (TAKEN_OVER), as a take-over on this instance would.
     *
     * @return true if a local connection was closed
     */
    public boolean takenOverElsewhere(SessionId id) {
        RelayConnection old = routes.get(id);
        if (old == null || !routes.remove(id, old)) {
            return false;
        }
        old.close();
        old.peer().close(RelayCloseCodes.TAKEN_OVER, "session ID taken over by a newer connection of its owner");
        LOG.log(Level.FINE, "session ID {0} taken over on another instance from {1}", new Object[] {id.shortForm(), old});
        return true;
    }

    // ---- end of cluster mode ----

    private void onRegister(RelayConnection from, RelayFrame.Register register) {
        RelayConnection.State state = from.state();
        if (state == RelayConnection.State.REGISTERED) {
            from.peer().close(RelayCloseCodes.POLICY_VIOLATION, "already registered");
            return;
        }
        byte[] nonce = from.nonce();
        if (state != RelayConnection.State.CHALLENGED || nonce == null) {
            // No challenge was sent on this connection: nothing a proof could be checked against.
            from.peer().close(RelayCloseCodes.REGISTRATION_INVALID, "registration proof invalid");
            return;
        }
        SessionId id;
        try {
            id = RegistrationProof.verify(register, nonce);
        } catch (InvalidRegistrationException e) {
            LOG.log(Level.FINE, "closing {0}: {1}", new Object[] {from, e.getMessage()});
            from.peer().close(RelayCloseCodes.REGISTRATION_INVALID, "registration proof invalid");
            return;
        }
        // Verified: now commit. The state change happens under the map's lock for this ID, so a
        // concurrent close of `from` either prevents it (the route stays as it was) or waits for it
        // and then removes the new route (remove(id, from) takes the same lock).
        RelayConnection[] displaced = new RelayConnection[1];
        boolean[] registered = new boolean[1];
        routes.compute(id, (key, previous) -> {
            if (!from.register(id)) {
                return previous;
            }
            registered[0] = true;
            displaced[0] = previous;
            return from;
        });
        if (!registered[0]) {
            return;
        }
        ClusterRouting c = cluster;
        if (c != null) {
            c.registered(id); // before REGISTERED: a peer told of this ID finds it on every instance
        }
        from.peer().send(RelayCodec.encode(new RelayFrame.Registered(id)), ignored -> { });
        RelayConnection old = displaced[0];
        if (old != null && old != from) {
            // The old connection stops counting at once (its frames are ignored, its close will not
            // touch the new route), then learns why it is closed.
            old.close();
            old.peer().close(RelayCloseCodes.TAKEN_OVER, "session ID taken over by a newer connection of its owner");
            LOG.log(Level.FINE, "{0} took session ID {1} over from {2}", new Object[] {from, id.shortForm(), old});
        } else {
            LOG.log(Level.FINE, "registered {0}", from);
        }
    }

    private void onSend(RelayConnection from, RelayFrame.Send send, long receivedNanos) {
        SessionId sender = from.sessionId();
        if (from.state() != RelayConnection.State.REGISTERED || sender == null) {
            from.peer().close(RelayCloseCodes.POLICY_VIOLATION, "SEND before REGISTER");
            return;
        }
        RelayConnection target = routes.get(send.to());
        if (target == null) {
            ClusterRouting c = cluster;
            if (c != null && c.forward(sender, send.to(), send.payload())) {
                from.sentTo(send.to());
                return;
            }
            counters.refused(ErrorCode.PEER_NOT_CONNECTED);
            from.peer().send(RelayCodec.encode(new RelayFrame.Error(ErrorCode.PEER_NOT_CONNECTED, send.to())),
                    ignored -> { });
            return;
        }
        from.sentTo(send.to());
        target.peer().send(RelayCodec.deliver(sender, send.payload()), receivedNanos, failure -> {
            LOG.log(Level.FINE, "delivery {0} -> {1} failed: {2}", new Object[] {from, target, failure.toString()});
            counters.refused(ErrorCode.DELIVERY_FAILED);
            if (from.state() == RelayConnection.State.REGISTERED) {
                from.peer().send(RelayCodec.encode(new RelayFrame.Error(ErrorCode.DELIVERY_FAILED, send.to())),
                        ignored -> { });
            }
        });
    }
}

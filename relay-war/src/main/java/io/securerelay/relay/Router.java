package io.securerelay.relay;

import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes frames between connections by session ID. Its whole state is the live routing table
 * (session ID to connection); it never keeps a frame and never reads a payload.
 *
 * <p>Thread-safe: the container calls it from many threads at once, one frame at a time per
 * connection.
 */
@ApplicationScoped
public class Router {

    private static final Logger LOG = Logger.getLogger(Router.class.getName());

    private final ConcurrentMap<SessionId, RelayConnection> routes = new ConcurrentHashMap<>();

    /** Handles one binary frame received on {@code from}. */
    public void onFrame(RelayConnection from, ByteBuffer frame) {
        RelayFrame.ClientFrame decoded;
        try {
            decoded = RelayCodec.decodeClientFrame(frame);
        } catch (MalformedFrameException e) {
            LOG.log(Level.FINE, "closing {0}: {1}", new Object[] {from, e.getMessage()});
            from.peer().close(RelayCloseCodes.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        if (decoded instanceof RelayFrame.Register register) {
            onRegister(from, register.sessionId());
        } else if (decoded instanceof RelayFrame.Send send) {
            onSend(from, send);
        } else {
            throw new AssertionError("unhandled client frame " + decoded.getClass());
        }
    }

    /** Forgets {@code connection}: frames for its session ID are no longer routed to it. */
    public void onClose(RelayConnection connection) {
        SessionId id = connection.close();
        if (id != null && routes.remove(id, connection)) {
            LOG.log(Level.FINE, "unregistered {0}", connection);
        }
    }

    /** Number of registered session IDs (live routes). */
    public int routeCount() {
        return routes.size();
    }

    private void onRegister(RelayConnection from, SessionId id) {
        if (from.state() != RelayConnection.State.CONNECTED) {
            from.peer().close(RelayCloseCodes.POLICY_VIOLATION, "already registered");
            return;
        }
        RelayConnection owner = routes.putIfAbsent(id, from);
        if (owner != null) {
            LOG.log(Level.FINE, "{0} refused: session ID {1} is taken", new Object[] {from, id.shortForm()});
            from.peer().send(RelayCodec.encode(new RelayFrame.Error(ErrorCode.SESSION_ID_TAKEN, id)), ignored -> { });
            return;
        }
        if (!from.register(id)) {
            // Closed while registering: leave no route to a dead connection.
            routes.remove(id, from);
            return;
        }
        from.peer().send(RelayCodec.encode(new RelayFrame.Registered(id)), ignored -> { });
        LOG.log(Level.FINE, "registered {0}", from);
    }

    private void onSend(RelayConnection from, RelayFrame.Send send) {
        SessionId sender = from.sessionId();
        if (sender == null) {
            from.peer().close(RelayCloseCodes.POLICY_VIOLATION, "SEND before REGISTER");
            return;
        }
        RelayConnection target = routes.get(send.to());
        if (target == null) {
            from.peer().send(RelayCodec.encode(new RelayFrame.Error(ErrorCode.PEER_NOT_CONNECTED, send.to())),
                    ignored -> { });
            return;
        }
        target.peer().send(RelayCodec.deliver(sender, send.payload()), failure -> {
            LOG.log(Level.FINE, "delivery {0} -> {1} failed: {2}", new Object[] {from, target, failure.toString()});
            if (from.state() == RelayConnection.State.REGISTERED) {
                from.peer().send(RelayCodec.encode(new RelayFrame.Error(ErrorCode.DELIVERY_FAILED, send.to())),
                        ignored -> { });
            }
        });
    }
}

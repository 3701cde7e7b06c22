package io.securerelay.relay;

import io.securerelay.protocol.relay.SessionId;
import java.util.Objects;

/**
 * The relay's state for one connection: which session ID it registered, if any. The only state
 * the relay has per client; it holds no frame.
 */
public final class RelayConnection {

    /** Where a connection is in its short life. */
    public enum State {
        /** Open, no session ID yet: it may only REGISTER. */
        CONNECTED,
        /** Owns a session ID: it may SEND, and receives DELIVER frames. */
        REGISTERED,
        /** Gone; nothing is routed to it any more. */
        CLOSED
    }

    private final PeerConnection peer;
    private volatile State state = State.CONNECTED;
    private volatile SessionId sessionId;

    public RelayConnection(PeerConnection peer) {
        this.peer = Objects.requireNonNull(peer, "peer");
    }

    public PeerConnection peer() {
        return peer;
    }

    public State state() {
        return state;
    }

    /** The registered session ID, or {@code null} before registration. */
    public SessionId sessionId() {
        return sessionId;
    }

    /**
     * Moves to REGISTERED with {@code id}.
     *
     * @return false if the connection is no longer CONNECTED (it closed meanwhile)
     */
    synchronized boolean register(SessionId id) {
        if (state != State.CONNECTED) {
            return false;
        }
        this.sessionId = id;
        this.state = State.REGISTERED;
        return true;
    }

    /** Moves to CLOSED and returns the session ID it had registered, or {@code null}. */
    synchronized SessionId close() {
        this.state = State.CLOSED;
        return sessionId;
    }

    @Override
    public String toString() {
        SessionId id = sessionId;
        return peer.label() + (id == null ? "" : "/" + id.shortForm());
    }
}

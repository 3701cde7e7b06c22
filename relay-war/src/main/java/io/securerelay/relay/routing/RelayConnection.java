package io.securerelay.relay.routing;

import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.limits.RateLimiter;
import java.time.Clock;
import java.util.Objects;


/**
 * The relay's state for one connection: where it is in its life, the challenge it was sent, the
 * session ID it registered, its rate limits and when it was last heard from. The only state the
 * relay has per client; it holds no frame and no key.
 */
public final class RelayConnection {

    /** Where a connection is in its short life. */
    public enum State {
        /** Open; the CHALLENGE has not been sent yet. Any frame now is refused (4003). */
        CONNECTED,
        /** The CHALLENGE was sent: it may only REGISTER, with a proof over that challenge. */
        CHALLENGED,
        /** Owns a session ID: it may SEND, and receives DELIVER frames. */
        REGISTERED,
        /** Gone, closing, or taken over; nothing is routed to it and its frames are ignored. */
        CLOSED
    }

    private final PeerConnection peer;
    private final RateLimiter limiter;
    private final Clock clock;
    private volatile State state = State.CONNECTED;
    private volatile SessionId sessionId;
    private volatile long lastHeardMillis;
    private volatile SessionId lastPeer;
    private byte[] nonce;

    /** A connection without rate limits, on the system clock. */
    public RelayConnection(PeerConnection peer) {
        this(peer, RateLimiter.UNLIMITED, Clock.systemUTC());
    }

    public RelayConnection(PeerConnection peer, RateLimiter limiter, Clock clock) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastHeardMillis = clock.millis();
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

    /** Records that something (a frame or a pong) arrived from the client now. */
    public void heard() {
        lastHeardMillis = clock.millis();
    }

    public long lastHeardMillis() {
        return lastHeardMillis;
    }

    /** Records the session this connection last sent to (for the admin console's active pairs). */
    void sentTo(SessionId to) {
        if (!to.equals(lastPeer)) { // a read, and a write only when the peer changes
            lastPeer = to;
        }
    }

    /** The session ID this connection last sent a frame to, or {@code null}. */
    SessionId lastPeer() {
        return lastPeer;
    }

    /** Counts a received frame of {@code size} bytes against the rate limits; false if over them. */
    boolean admit(int size) {
        return limiter.admit(size);
    }

    /**
     * Moves from CONNECTED to CHALLENGED with the nonce just sent.
     *
     * @return false if the connection is not CONNECTED (challenged already, or closed)
     */
    synchronized boolean challenged(byte[] sentNonce) {
        if (state != State.CONNECTED) {
            return false;
        }
        this.nonce = sentNonce.clone();
        this.state = State.CHALLENGED;
        return true;
    }

    /** The nonce of the CHALLENGE sent on this connection, or {@code null} if none was sent. */
    synchronized byte[] nonce() {
        return nonce == null ? null : nonce.clone();
    }

    /**
     * Moves from CHALLENGED to REGISTERED with {@code id}; the nonce is spent.
     *
     * @return false if the connection is not CHALLENGED (it closed meanwhile)
     */
    synchronized boolean register(SessionId id) {
        if (state != State.CHALLENGED) {
            return false;
        }
        this.sessionId = id;
        this.state = State.REGISTERED;
        this.nonce = null;
        return true;
    }

    /** Moves to CLOSED and returns the session ID it had registered, or {@code null}. */
    public synchronized SessionId close() {
        this.state = State.CLOSED;
        this.nonce = null;
        return sessionId;
    }

    @Override
    public String toString() {
        SessionId id = sessionId;
        return peer.label() + (id == null ? "" : "/" + id.shortForm());
    }
}

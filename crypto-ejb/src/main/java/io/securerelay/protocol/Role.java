package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

/** Which side of the handshake a party plays. */
public enum Role {
    INITIATOR, RESPONDER;

    /**
     * The role choice both clients make without talking: the one with the lower session ID
     * (unsigned byte order) initiates.
     *
     * @throws IllegalArgumentException if both IDs are equal
     */
    public static Role of(SessionId local, SessionId peer) {
        int c = local.compareTo(peer);
        if (c == 0) {
            throw new IllegalArgumentException("both session IDs are equal");
        }
        return c < 0 ? INITIATOR : RESPONDER;
    }
}

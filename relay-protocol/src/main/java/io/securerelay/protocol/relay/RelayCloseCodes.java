package io.securerelay.protocol.relay;

/**
 * WebSocket close codes the relay uses, with their meaning for a client. Documented in
 * {@code docs/PROTOCOL.md}; a client maps them to messages a user understands.
 */
public final class RelayCloseCodes {

    /** 1000: normal closure. */
    public static final int NORMAL = 1000;
    /** 1001: the relay is shutting down (or the client is going away); reconnect later. */
    public static final int GOING_AWAY = 1001;
    /** 1002: a malformed relay frame (unknown version or type, truncated, wrong length). */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a text frame; the relay protocol is binary only. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1007: a text frame that is not valid UTF-8 (detected by the WebSocket layer). */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: policy: SEND before REGISTER, a second REGISTER, a frame before the CHALLENGE was answered. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame larger than the relay's maximum frame size. */
    public static final int TOO_BIG = 1009;
    /** 1011: the relay hit an unexpected condition (a bug); other connections are unaffected. */
    public static final int INTERNAL_ERROR = 1011;
    /**
     * 4001: a newer connection proved the same routing key and took this connection's session ID
     * over. The owner moved; do not reconnect automatically (the two would take the ID from each
     * other in turn).
     */
    public static final int TAKEN_OVER = 4001;
    /** 4002: the connection did not send a valid REGISTER within the relay's registration timeout. */
    public static final int REGISTRATION_TIMEOUT = 4002;
    /**
     * 4003: the REGISTER proof is invalid: the public key is not a valid P-256 point, or the
     * signature does not verify over this connection's CHALLENGE. One code for every cause.
     */
    public static final int REGISTRATION_INVALID = 4003;
    /** 4004: nothing heard from the connection (no frame, no pong) within the relay's idle timeout. */
    public static final int IDLE_TIMEOUT = 4004;
    /** 4008: this connection did not read its frames fast enough; the relay will not buffer more. */
    public static final int SLOW_CONSUMER = 4008;
    /** 4013: too many open connections from this connection's network address; try again later. */
    public static final int TOO_MANY_CONNECTIONS = 4013;
    /** 4029: the connection sent more frames or bytes per second than the relay allows. */
    public static final int RATE_LIMITED = 4029;

    private RelayCloseCodes() {
    }
}

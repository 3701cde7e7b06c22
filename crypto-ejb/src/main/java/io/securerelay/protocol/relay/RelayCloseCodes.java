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
    /** 1008: policy: SEND before REGISTER, a second REGISTER, or another rule of the relay. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame larger than the relay's maximum frame size. */
    public static final int TOO_BIG = 1009;
    /** 1011: the relay hit an unexpected condition (a bug); other connections are unaffected. */
    public static final int INTERNAL_ERROR = 1011;
    /** 4008: this connection did not read its frames fast enough; the relay will not buffer more. */
    public static final int SLOW_CONSUMER = 4008;

    private RelayCloseCodes() {
    }
}

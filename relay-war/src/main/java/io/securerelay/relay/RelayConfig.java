package io.securerelay.relay;

/**
 * The relay's configuration keys (MicroProfile Config: system properties, environment variables
 * such as {@code RELAY_MAX_PENDING_BYTES}, or {@code microprofile-config.properties}) and their
 * defaults. Documented in {@code docs/ARCHITECTURE.md}.
 */
public final class RelayConfig {

    /**
     * Largest payload of one SEND frame, in bytes. Frames over it close the connection with 1009
     * before they are buffered whole. Fixed at build time by {@link RelayEndpoint#MAX_FRAME_BYTES}.
     */
    public static final int MAX_PAYLOAD_BYTES = io.securerelay.protocol.relay.RelayCodec.DEFAULT_MAX_PAYLOAD;

    /**
     * {@code relay.max-pending-bytes}: bytes queued for one receiver that it has not yet read.
     * Past it the receiver is closed with 4008 (slow consumer) instead of growing the heap.
     */
    public static final String MAX_PENDING_BYTES = "relay.max-pending-bytes";
    public static final String MAX_PENDING_BYTES_DEFAULT = "1048576";

    /** {@code relay.idle-timeout-seconds}: a connection silent this long is closed. */
    public static final String IDLE_TIMEOUT_SECONDS = "relay.idle-timeout-seconds";
    public static final String IDLE_TIMEOUT_SECONDS_DEFAULT = "300";

    private RelayConfig() {
    }
}

package io.securerelay.relay.config;

import io.securerelay.protocol.relay.RelayCodec;

/**
 * The relay's configuration keys (MicroProfile Config: system properties, environment variables
 * such as {@code RELAY_MAX_PENDING_BYTES}, or {@code payara-config/relay.properties} passed with
 * {@code --systemproperties}) and their defaults. Documented in {@code docs/ARCHITECTURE.md}.
 * Read once, validated, by {@link RelaySettings}.
 */
public final class RelayConfig {

    /**
     * Upper bound of {@link #MAX_FRAME_BYTES}, fixed at build time: Tyrus checks the size of a
     * whole message only against {@code @OnMessage(maxMessageSize)}, an annotation constant, so the
     * configurable limit is enforced by the endpoint below this ceiling (see docs/PAYARA-NOTES.md).
     */
    public static final int MAX_FRAME_BYTES_CEILING = RelayCodec.ROUTED_HEADER + 1024 * 1024;

    /** Largest SEND payload with the default {@link #MAX_FRAME_BYTES}. */
    public static final int MAX_PAYLOAD_BYTES = RelayCodec.DEFAULT_MAX_PAYLOAD;

    /**
     * {@code relay.max-frame-bytes}: largest binary message (a whole relay frame) accepted; larger
     * ones close the connection with 1009. Default: a SEND header plus 64 KiB of payload. At most
     * {@link #MAX_FRAME_BYTES_CEILING}.
     */
    public static final String MAX_FRAME_BYTES = "relay.max-frame-bytes";
    public static final String MAX_FRAME_BYTES_DEFAULT = "65554";

    /**
     * {@code relay.max-pending-bytes}: bytes queued for one receiver that it has not yet read.
     * Past it the receiver is closed with 4008 (slow consumer) instead of growing the heap.
     */
    public static final String MAX_PENDING_BYTES = "relay.max-pending-bytes";
    public static final String MAX_PENDING_BYTES_DEFAULT = "1048576";

    /**
     * {@code relay.rate.frames-per-second}: frames one connection may send per second, on average;
     * bursts of up to {@value #BURST_SECONDS} seconds' worth pass. Over it: close 4029.
     */
    public static final String RATE_FRAMES_PER_SECOND = "relay.rate.frames-per-second";
    public static final String RATE_FRAMES_PER_SECOND_DEFAULT = "5000";

    /**
     * {@code relay.rate.bytes-per-second}: bytes one connection may send per second, on average
     * (bursts of {@value #BURST_SECONDS} seconds' worth). Raised to {@link #MAX_FRAME_BYTES} if
     * lower, so that one largest frame always fits. Over it: close 4029.
     */
    public static final String RATE_BYTES_PER_SECOND = "relay.rate.bytes-per-second";
    public static final String RATE_BYTES_PER_SECOND_DEFAULT = "16777216";

    /** The token buckets hold this many seconds' worth of frames and bytes. */
    public static final int BURST_SECONDS = 2;

    /**
     * {@code relay.max-connections-per-address}: open connections from one remote IP address.
     * The next one is closed with 4013 right after the handshake. 0 disables the cap.
     */
    public static final String MAX_CONNECTIONS_PER_ADDRESS = "relay.max-connections-per-address";
    public static final String MAX_CONNECTIONS_PER_ADDRESS_DEFAULT = "256";

    /** {@code relay.registration-timeout-seconds}: time to answer the CHALLENGE; past it: close 4002. */
    public static final String REGISTRATION_TIMEOUT_SECONDS = "relay.registration-timeout-seconds";
    public static final String REGISTRATION_TIMEOUT_SECONDS_DEFAULT = "10";

    /**
     * {@code relay.ping-interval-seconds}: a connection silent this long gets a WebSocket ping;
     * the check runs at this period. Must be below the idle timeout.
     */
    public static final String PING_INTERVAL_SECONDS = "relay.ping-interval-seconds";
    public static final String PING_INTERVAL_SECONDS_DEFAULT = "30";

    /**
     * {@code relay.idle-timeout-seconds}: a connection from which nothing was heard (no frame, no
     * pong) this long is closed with 4004, at the next ping tick.
     */
    public static final String IDLE_TIMEOUT_SECONDS = "relay.idle-timeout-seconds";
    public static final String IDLE_TIMEOUT_SECONDS_DEFAULT = "120";

    /**
     * {@code relay.batch-flushes}: {@code true} (the default): the frames one read of a connection
     * makes the relay send to a receiver leave in one TLS write when that read has been handled
     * ({@code relay.tyrus.BatchingOutputStream}, public API only); {@code false}: one TLS write
     * per frame, as Tyrus does by itself (for comparison in benchmarks).
     */
    public static final String BATCH_FLUSHES = "relay.batch-flushes";
    public static final String BATCH_FLUSHES_DEFAULT = "true";

    /**
     * {@code relay.container-hooks}: {@code true} (the default): the relay's two workarounds that
     * reach into private members of Payara 6's Tyrus and Grizzly run, each only on the component
     * version it was tested on ({@code relay.payara6.ContainerHooks}: Tyrus' idle timers off the
     * managed executor, Grizzly's kept TLS buffers let go of); {@code false}: none of them runs and
     * the relay works on Tyrus' and Grizzly's public behaviour alone (the test suite runs once this
     * way).
     */
    public static final String CONTAINER_HOOKS = "relay.container-hooks";
    public static final String CONTAINER_HOOKS_DEFAULT = "true";

    /**
     * {@code relay.allowed-origins}: comma-separated browser origins (e.g.
     * {@code https://bank.example}) allowed to open a connection. Empty (the default): every
     * handshake that carries an {@code Origin} header is refused with HTTP 403; clients that send
     * none (non-browser clients) are accepted.
     */
    public static final String ALLOWED_ORIGINS = "relay.allowed-origins";
    public static final String ALLOWED_ORIGINS_DEFAULT = "";

    /** {@code relay.admin.user}: the user name of the admin console ({@code /admin}). */
    public static final String ADMIN_USER = "relay.admin.user";
    public static final String ADMIN_USER_DEFAULT = "admin";

    /**
     * {@code relay.admin.password-hash}: the admin console's password as a salted scrypt hash,
     * {@code scrypt$N$r$p$salt$hash} (the output of {@code ./secure-relay admin-password}; see
     * {@code admin.PasswordHash}). Unset: a random password is generated at every start and printed
     * once in the log, on a line starting with {@value #ADMIN_PASSWORD_MARKER}.
     */
    public static final String ADMIN_PASSWORD_HASH = "relay.admin.password-hash";

    /**
     * {@code relay.admin.password-sha256}: retired (an unsalted SHA-256 of the password). A relay
     * that finds it refuses to start and says how to make a {@link #ADMIN_PASSWORD_HASH}.
     */
    public static final String ADMIN_PASSWORD_SHA256 = "relay.admin.password-sha256";

    /** Starts the one log line that carries a generated admin password (the launcher shows it). */
    public static final String ADMIN_PASSWORD_MARKER = "RELAY-ADMIN-PASSWORD";

    /**
     * {@code relay.cluster.enabled}: cluster mode. {@code true}: this instance routes to sessions
     * held by other instances through Redis, configured by the {@code relay.cluster.redis.*} keys
     * ({@code io.securerelay.relay.cluster.RedisSettings}, {@code ./secure-relay cluster}); the
     * deployment fails if that Redis cannot be used. {@code false} (the default): a single instance,
     * no Redis call on any path.
     */
    public static final String CLUSTER_ENABLED = "relay.cluster.enabled";
    public static final String CLUSTER_ENABLED_DEFAULT = "false";

    private RelayConfig() {
    }
}

package io.securerelay.relay.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The relay's settings, read once through MicroProfile Config and validated at deployment: a
 * setting that makes no sense fails the deployment instead of the first connection. Keys and
 * defaults are in {@link RelayConfig}.
 */
@ApplicationScoped
public class RelaySettings {

    private static final Logger LOG = Logger.getLogger(RelaySettings.class.getName());

    @Inject
    @ConfigProperty(name = RelayConfig.MAX_FRAME_BYTES, defaultValue = RelayConfig.MAX_FRAME_BYTES_DEFAULT)
    int maxFrameBytes;

    @Inject
    @ConfigProperty(name = RelayConfig.MAX_PENDING_BYTES, defaultValue = RelayConfig.MAX_PENDING_BYTES_DEFAULT)
    long maxPendingBytes;

    @Inject
    @ConfigProperty(name = RelayConfig.RATE_FRAMES_PER_SECOND, defaultValue = RelayConfig.RATE_FRAMES_PER_SECOND_DEFAULT)
    long framesPerSecond;

    @Inject
    @ConfigProperty(name = RelayConfig.RATE_BYTES_PER_SECOND, defaultValue = RelayConfig.RATE_BYTES_PER_SECOND_DEFAULT)
    long bytesPerSecond;

    @Inject
    @ConfigProperty(name = RelayConfig.MAX_CONNECTIONS_PER_ADDRESS,
            defaultValue = RelayConfig.MAX_CONNECTIONS_PER_ADDRESS_DEFAULT)
    int maxConnectionsPerAddress;

    @Inject
    @ConfigProperty(name = RelayConfig.REGISTRATION_TIMEOUT_SECONDS,
            defaultValue = RelayConfig.REGISTRATION_TIMEOUT_SECONDS_DEFAULT)
    long registrationTimeoutSeconds;

    @Inject
    @ConfigProperty(name = RelayConfig.PING_INTERVAL_SECONDS, defaultValue = RelayConfig.PING_INTERVAL_SECONDS_DEFAULT)
    long pingIntervalSeconds;

    @Inject
    @ConfigProperty(name = RelayConfig.IDLE_TIMEOUT_SECONDS, defaultValue = RelayConfig.IDLE_TIMEOUT_SECONDS_DEFAULT)
    long idleTimeoutSeconds;

    @Inject
    @ConfigProperty(name = RelayConfig.BATCH_FLUSHES, defaultValue = RelayConfig.BATCH_FLUSHES_DEFAULT)
    boolean batchFlushes;

    @Inject
    @ConfigProperty(name = RelayConfig.CONTAINER_HOOKS, defaultValue = RelayConfig.CONTAINER_HOOKS_DEFAULT)
    boolean containerHooks;

    /** Validates and logs the settings when the application starts. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        validate();
        LOG.info(() -> String.format("relay settings: max-frame-bytes=%d max-pending-bytes=%d rate=%d frames/s,"
                + " %d bytes/s max-connections-per-address=%d registration-timeout=%ds ping-interval=%ds"
                + " idle-timeout=%ds container-hooks=%b batch-flushes=%b", maxFrameBytes,
                maxPendingBytes, framesPerSecond, rateBytesPerSecond(), maxConnectionsPerAddress,
                registrationTimeoutSeconds, pingIntervalSeconds, idleTimeoutSeconds, containerHooks, batchFlushes));
    }

    public void validate() {
        require(maxFrameBytes >= io.securerelay.protocol.relay.RelayCodec.REGISTER_LENGTH
                && maxFrameBytes <= RelayConfig.MAX_FRAME_BYTES_CEILING,
                RelayConfig.MAX_FRAME_BYTES + " must be between 131 (a REGISTER) and " + RelayConfig.MAX_FRAME_BYTES_CEILING);
        require(maxPendingBytes >= maxFrameBytes,
                RelayConfig.MAX_PENDING_BYTES + " must be at least " + RelayConfig.MAX_FRAME_BYTES);
        require(framesPerSecond > 0, RelayConfig.RATE_FRAMES_PER_SECOND + " must be positive");
        require(bytesPerSecond > 0, RelayConfig.RATE_BYTES_PER_SECOND + " must be positive");
        require(maxConnectionsPerAddress >= 0, RelayConfig.MAX_CONNECTIONS_PER_ADDRESS + " must be 0 (off) or positive");
        require(registrationTimeoutSeconds > 0, RelayConfig.REGISTRATION_TIMEOUT_SECONDS + " must be positive");
        require(pingIntervalSeconds > 0 && pingIntervalSeconds < idleTimeoutSeconds,
                RelayConfig.PING_INTERVAL_SECONDS + " must be positive and below " + RelayConfig.IDLE_TIMEOUT_SECONDS);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid relay setting: " + message);
        }
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    public long framesPerSecond() {
        return framesPerSecond;
    }

    /** The configured bytes per second, raised to the frame size limit so one largest frame fits. */
    public long rateBytesPerSecond() {
        return Math.max(bytesPerSecond, maxFrameBytes);
    }

    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public Duration registrationTimeout() {
        return Duration.ofSeconds(registrationTimeoutSeconds);
    }

    public Duration pingInterval() {
        return Duration.ofSeconds(pingIntervalSeconds);
    }

    public Duration idleTimeout() {
        return Duration.ofSeconds(idleTimeoutSeconds);
    }

    /** Whether the relay may reach into the container's private members ({@link RelayConfig#CONTAINER_HOOKS}). */
    public boolean containerHooks() {
        return containerHooks;
    }

    /** Whether the frames of one read leave in one TLS write per receiver ({@link RelayConfig#BATCH_FLUSHES}). */
    public boolean batchFlushes() {
        return batchFlushes;
    }
}

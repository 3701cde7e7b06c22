package io.securerelay.relay.endpoint;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.relay.config.RelayConfig;
import io.securerelay.relay.config.RelaySettings;
import io.securerelay.relay.limits.AddressLimiter;
import io.securerelay.relay.limits.KeepAlive;
import io.securerelay.relay.limits.RateLimiter;
import io.securerelay.relay.monitoring.RelayCounters;
import io.securerelay.relay.monitoring.RelayMetrics;
import io.securerelay.relay.payara6.GrizzlyTlsBuffers;
import io.securerelay.relay.routing.RelayConnection;
import io.securerelay.relay.routing.Router;
import io.securerelay.relay.tyrus.RelayUpgradeHandler;
import io.securerelay.relay.tyrus.RelayWebConnection;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;


/**
 * The relay's WebSocket endpoint at {@code /relay}: a thin adapter between the container and the
 * {@link Router}, applying the per-connection limits (frame size, rate, connections per address,
 * registration timeout, keep-alive). One instance per connection, made by
 * {@link RelayEndpointConfigurator#getEndpointInstance} from beans looked up once.
 */
@ServerEndpoint(value = RelayEndpoint.PATH, configurator = RelayEndpointConfigurator.class)
public class RelayEndpoint {

    /** The endpoint's path; plain HTTP requests to it get a 426 ({@link UpgradeRequiredServlet}). */
    public static final String PATH = "/relay";

    /**
     * The ceiling of the frame size, for Tyrus: {@code maxMessageSize} must be a constant, so the
     * configured {@link RelayConfig#MAX_FRAME_BYTES} (at most this) is enforced in {@link #onBinary}.
     */
    public static final int MAX_FRAME_BYTES = RelayConfig.MAX_FRAME_BYTES_CEILING;

    private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());
    private static final Duration RELEASE_AFTER_REGISTRATION = Duration.ofSeconds(1);
    private static volatile boolean unguardedWarned;

    private final Router router;
    private final RelaySettings settings;
    private final AddressLimiter addresses;
    private final RelayScheduler scheduler;
    private final RelayMetrics metrics;

    private final AtomicBoolean finished = new AtomicBoolean();
    private RelayConnection connection;
    private ConnectionTimers timers;
    private String address;
    private boolean addressCounted;
    private GrizzlyTlsBuffers.Handle tlsBuffers = GrizzlyTlsBuffers.NONE;
    /** Only {@link #onBinary} reads and writes it (Tyrus delivers one message at a time). */
    private boolean registrationSeen;
    private RelayCounters counters;

    /**
     * For a container that creates endpoints itself: the application's beans through
     * {@link CDI#current()}. The relay's {@link RelayEndpointConfigurator} uses the other
     * constructor, so Tyrus does not build a CDI injection target for every connection.
     */
    public RelayEndpoint() {
        this(EndpointServices.fromCdi());
    }

    RelayEndpoint(EndpointServices services) {
        this.router = services.router();
        this.settings = services.settings();
        this.addresses = services.addresses();
        this.scheduler = services.scheduler();
        this.metrics = services.metrics();
    }

    @OnOpen
    public void onOpen(Session session) {
        // Before anything is sent: Tyrus' per-frame idle-timer tasks must not reach Payara's
        // managed executor (see TyrusIdleTimers).
        boolean hooks = settings.containerHooks();
        if (hooks) {
            scheduler.adoptTyrusTimers(session);
        }
        // The relay's own keep-alive replaces the container's idle timer (which our pings would
        // reset). Negative, not 0: both mean "no timeout", but from Tyrus 2.2 on a negative one
        // also stops Tyrus from re-scheduling a timer task for every frame (Tyrus 2.1 still does).
        session.setMaxIdleTimeout(-1);
        // Bounds messages that arrive in fragments while they are reassembled (whole frames: onBinary).
        session.setMaxBinaryMessageBufferSize(settings.maxFrameBytes());
        Clock clock = Clock.systemUTC();
        counters = metrics.counters();
        counters.connectionOpened();
        connection = new RelayConnection(new WebSocketPeer(session, settings.maxPendingBytes(), counters),
                new RateLimiter(settings.framesPerSecond(), settings.rateBytesPerSecond(), clock), clock);
        RelayConnection opened = connection;
        // An oversize or unmasked frame is refused at its header, before Tyrus reads it
        // (RelayUpgradeHandler). The close runs on the timer thread: closing inside the read
        // callback that found the header deadlocks Payara's input buffer with a client that closes
        // at the same time (docs/PAYARA-NOTES.md).
        RelayWebConnection upgraded = RelayUpgradeHandler.opening();
        if (upgraded != null) {
            upgraded.onRefusedFrame((code, reason) -> scheduler.execute(() -> opened.peer().close(code, reason)));
        } else if (!unguardedWarned) {
            unguardedWarned = true;
            LOG.warning("the relay's upgrade handler is not in front of Tyrus (no RelayUpgradeHandler): a frame over"
                    + " relay.max-frame-bytes is read whole before it is refused, unmasked client frames are"
                    + " accepted, and flushes are not batched");
        }
        address = RemoteAddress.of(session);
        if (!addresses.tryAcquire(address)) {
            connection.close();
            connection.peer().close(RelayCloseCodes.TOO_MANY_CONNECTIONS, "too many connections from this address");
            return;
        }
        addressCounted = true;
        timers = scheduler.newConnection();
        RelayConnection c = connection;
        timers.registrationTimeout(settings.registrationTimeout(), () -> {
            if (c.state() == RelayConnection.State.CONNECTED || c.state() == RelayConnection.State.CHALLENGED) {
                c.peer().close(RelayCloseCodes.REGISTRATION_TIMEOUT, "registration timeout");
            }
        });
        KeepAlive keepAlive = new KeepAlive(settings.pingInterval(), settings.idleTimeout());
        tlsBuffers = hooks && upgraded != null ? GrizzlyTlsBuffers.forConnection(upgraded.container())
                : GrizzlyTlsBuffers.NONE;
        GrizzlyTlsBuffers.Handle tls = tlsBuffers;
        timers.every(keepAlive.pingInterval(), () -> {
            if (c.state() == RelayConnection.State.CLOSED) {
                return;
            }
            switch (keepAlive.decide(clock.millis(), c.lastHeardMillis())) {
                case CLOSE:
                    c.peer().close(RelayCloseCodes.IDLE_TIMEOUT, "idle timeout");
                    return;
                case PING:
                    c.peer().ping();
                    break;
                default:
                    break;
            }
            // Grizzly keeps the TLS buffer of the connection's last write (this ping's, or the
            // last frame's) until its next write: let go of it, on this thread that holds no lock.
            tls.release();
        });
        router.onOpen(connection);
    }

    @OnMessage(maxMessageSize = MAX_FRAME_BYTES)
    public void onBinary(ByteBuffer frame) {
        long received = System.nanoTime();
        connection.heard();
        if (frame.remaining() > settings.maxFrameBytes()) {
            connection.peer().close(RelayCloseCodes.TOO_BIG,
                    "frame of " + frame.remaining() + " bytes over the limit of " + settings.maxFrameBytes());
            return;
        }
        router.onFrame(connection, frame, received);
        if (!registrationSeen && connection.state() == RelayConnection.State.REGISTERED && timers != null) {
            registrationSeen = true;
            timers.registered();
            // The REGISTERED reply's TLS buffer would stay with the connection until its first
            // keep-alive tick (GrizzlyTlsBuffers): let go of it once the write is done, from the
            // timer thread, which holds no lock.
            timers.once(RELEASE_AFTER_REGISTRATION, tlsBuffers::release);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        connection.heard();
    }

    @OnMessage
    public void onText(String text, Session session) {
        connection.peer().close(RelayCloseCodes.UNSUPPORTED_DATA, "the relay protocol is binary");
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        finish();
    }

    @OnError
    public void onError(Session session, Throwable error) {
        // What a peer causes (bad frames, resets) is not the relay's error: debug level only.
        LOG.log(Level.FINE, "connection {0}: {1}", new Object[] {session.getId(), error.toString()});
        finish();
    }

    /** Releases everything the connection holds, once, whichever of close and error comes first. */
    private void finish() {
        if (connection == null || !finished.compareAndSet(false, true)) {
            return;
        }
        counters.connectionClosed();
        if (timers != null) {
            timers.cancelAll();
        }
        router.onClose(connection);
        if (addressCounted) {
            addresses.release(address);
        }
    }
}

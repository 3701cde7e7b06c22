package io.securerelay.client.internal;

import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;

/**
 * The client's connection to a relay (Tyrus over TLS): connects, answers the relay's challenge
 * with this run's {@link RoutingKey} (so the session ID stays ours across reconnects), forwards
 * frames to a {@link Listener}, and reconnects with exponential backoff and jitter, trying the
 * relay URLs in turn (failover). Thread-safe.
 */
public final class RelayLink implements Link {

    /** Who ended a connection, as the reconnect line tells the user. */
    public enum ClosedBy {
        /** The relay sent a close frame. */
        RELAY,
        /** This client closed it (the relay sent something it had to refuse). */
        CLIENT,
        /** No close frame: the connection could not be made, or it broke (1006). */
        NETWORK;

        /** @return the word of the batch line ({@code closed-by=relay|client|network}). */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the link reports. Called from the link's threads; implementations hand off quickly. */
    public interface Listener {
        /** Registered at {@code relay} as {@code self}: frames can flow. */
        void registered(SessionId self, URI relay);

        /** The connection is gone (or could not be made); the next attempt is in {@code retryIn}. */
        void disconnected(ClosedBy closedBy, String why, Duration retryIn);

        /**
         * The relay sent a frame this client refuses ({@code problem}, {@code length} bytes): it is
         * dropped, and the link closes the connection with 1002 and reconnects.
         */
        void rejectedRelayFrame(String problem, int length);

        /** A payload from {@code from}. */
        void delivered(SessionId from, byte[] payload);

        /** The relay could not do something (peer not connected, delivery failed). */
        void relayError(RelayFrame.Error error);

        /** A problem retrying cannot fix: the relay's certificate is not trusted. */
        void tlsFailed(String why);

        /** Another connection holding our routing key took our session ID (another copy of us). */
        void takenOver(String why);
    }

    private static final Logger LOG = Logger.getLogger(RelayLink.class.getName());
    private static final long BACKOFF_BASE_MS = 250;
    private static final long BACKOFF_CAP_MS = 5_000;
    /** Enough for the relay's largest frame; larger frames from a relay are refused. */
    private static final int MAX_INCOMING = RelayCodec.ROUTED_HEADER + RelayCodec.DEFAULT_MAX_PAYLOAD;

    /**
     * Tyrus sends an Origin header by default; Origin is what browsers send, and the relay checks it
     * against its allowlist. A native client sends none.
     */
    private static final ClientEndpointConfig.Configurator NO_ORIGIN = new ClientEndpointConfig.Configurator() {
        @Override
        public void beforeRequest(java.util.Map<String, List<String>> headers) {
            headers.keySet().removeIf(h -> h.equalsIgnoreCase("Origin"));
        }
    };

    private final List<URI> relays;
    private final RoutingKey key;
    private final Listener listener;
    private final ScheduledExecutorService timer;
    private final SecureRandom random;
    private final ClientManager client;
    private final ExecutorService connector = Executors.newSingleThreadExecutor(r -> daemon(r, "relay-connector"));

    private final Object lock = new Object();
    private Connection current;
    private int attempt;
    private int relayIndex;
    private boolean closed;

    public RelayLink(List<URI> relays, SSLContext tls, RoutingKey key, Listener listener,
            ScheduledExecutorService timer, SecureRandom random) {
        this.relays = List.copyOf(relays);
        this.key = key;
        this.listener = listener;
        this.timer = timer;
        this.random = random;
        this.client = ClientManager.createClient();
        SslEngineConfigurator ssl = new SslEngineConfigurator(tls, true, false, false);
        ssl.setHostVerificationEnabled(true);
        client.getProperties().put(ClientProperties.SSL_ENGINE_CONFIGURATOR, ssl);
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, 10_000);
    }

    /** Our session ID (the same on every relay and after every reconnect of this run). */
    public SessionId sessionId() {
        return key.sessionId();
    }

    /** Starts connecting (asynchronously). */
    @Override
    public void start() {
        connector.execute(this::connectOnce);
    }

    /**
     * Sends {@code payload} to {@code to}, asynchronously, in call order.
     *
     * @return false if no registered connection exists right now (the caller keeps the message)
     */
    @Override
    public boolean send(SessionId to, byte[] payload) {
        Connection c;
        synchronized (lock) {
            c = current;
        }
        if (c == null || !c.registered) {
            return false;
        }
        try {
            c.session.getAsyncRemote().sendBinary(RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload))));
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "send failed: {0}", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        Connection c;
        synchronized (lock) {
            closed = true;
            c = current;
            current = null;
        }
        if (c != null) {
            try {
                c.session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "client quits"));
            } catch (Exception e) {
                LOG.log(Level.FINE, "close: {0}", e.toString());
            }
        }
        connector.shutdownNow();
        client.shutdown();
    }

    private void connectOnce() {
        URI uri;
        synchronized (lock) {
            if (closed) {
                return;
            }
            uri = relays.get(relayIndex % relays.size());
        }
        Connection c = new Connection(uri);
        try {
            ClientEndpointConfig config = ClientEndpointConfig.Builder.create().configurator(NO_ORIGIN).build();
            client.connectToServer(c, config, uri);
            LOG.log(Level.FINE, "connected to {0}, waiting for the challenge", uri);
        } catch (Exception e) {
            Throwable tls = causeOf(e, SSLException.class, CertificateException.class);
            if (tls != null) {
                listener.tlsFailed("TLS with the relay " + uri.getHost() + ":" + port(uri) + " failed: " + tls.getMessage()
                        + " (the relay's certificate must be signed by the project's CA given with --ca,"
                        + " or match --pin-sha256)");
                return;
            }
            scheduleReconnect(ClosedBy.NETWORK, describe(e, uri), true);
        }
    }

    private void scheduleReconnect(ClosedBy closedBy, String why, boolean rotate) {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            current = null;
            if (rotate) {
                relayIndex++;
            }
            long exp = BACKOFF_BASE_MS << Math.min(attempt, 10);
            attempt++;
            long capped = Math.min(BACKOFF_CAP_MS, exp);
            delay = capped / 2 + (long) (random.nextDouble() * capped / 2); // jitter: 50 % to 100 %
        }
        listener.disconnected(closedBy, why, Duration.ofMillis(delay));
        timer.schedule(() -> connector.execute(this::connectOnce), delay, TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable e, URI uri) {
        String where = uri.getHost() + ":" + port(uri);
        if (causeOf(e, ConnectException.class) != null) {
            return "connection refused by " + where + " (is the relay running? start it with ./secure-relay relay)";
        }
        if (causeOf(e, UnknownHostException.class) != null) {
            return "unknown host " + uri.getHost();
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        java.util.regex.Matcher http = java.util.regex.Pattern.compile("Response code was not 101: (\\d+)")
                .matcher(String.valueOf(root.getMessage()));
        if (http.find()) {
            String code = http.group(1);
            return where + " answered HTTP " + code + " instead of a WebSocket upgrade"
                    + (code.equals("403") ? " (refused: an Origin header the relay does not allow?)"
                            : " (the relay is still starting, or the URL path is not /relay)");
        }
        return "cannot connect to " + where + ": " + root.getMessage();
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 443;
    }

    @SafeVarargs
    private static Throwable causeOf(Throwable e, Class<? extends Throwable>... types) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return t;
                }
            }
        }
        return null;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One WebSocket connection to one relay. */
    private final class Connection extends Endpoint {
        private final URI uri;
        private volatile Session session;
        private volatile boolean registered;
        /** Why this client closed the connection itself, or null. */
        private volatile String closedByUs;

        Connection(URI uri) {
            this.uri = uri;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            this.session = session;
            session.setMaxBinaryMessageBufferSize(MAX_INCOMING);
            synchronized (lock) {
                if (closed) {
                    return;
                }
                current = this;
            }
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::onFrame);
        }

        private void onFrame(ByteBuffer frame) {
            RelayFrame.ServerFrame f;
            int length = frame.remaining();
            try {
                f = RelayCodec.decodeServerFrame(frame);
            } catch (MalformedFrameException e) {
                LOG.log(Level.FINE, "the relay sent a malformed frame ({0}); reconnecting", e.getMessage());
                listener.rejectedRelayFrame(e.getMessage(), length);
                closeQuietly(RelayCloseCodes.PROTOCOL_ERROR, "malformed frame");
                return;
            }
            if (f instanceof RelayFrame.Challenge challenge) {
                sendFrame(RelayCodec.encode(key.register(challenge.nonce())));
            } else if (f instanceof RelayFrame.Registered r) {
                if (!r.sessionId().equals(key.sessionId())) {
                    LOG.log(Level.FINE, "the relay confirmed another session ID; reconnecting");
                    listener.rejectedRelayFrame("REGISTERED names another session ID", length);
                    closeQuietly(RelayCloseCodes.PROTOCOL_ERROR, "wrong session ID");
                    return;
                }
                registered = true;
                synchronized (lock) {
                    attempt = 0;
                }
                listener.registered(r.sessionId(), uri);
            } else if (f instanceof RelayFrame.Deliver d) {
                listener.delivered(d.from(), d.payloadBytes());
            } else if (f instanceof RelayFrame.Error e) {
                listener.relayError(e);
            }
        }

        private void sendFrame(ByteBuffer frame) {
            try {
                session.getAsyncRemote().sendBinary(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "send failed: {0}", e.toString());
            }
        }

        private void closeQuietly(int code, String reason) {
            closedByUs = reason;
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            } catch (Exception e) {
                LOG.log(Level.FINE, "close: {0}", e.toString());
            }
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            boolean mine;
            synchronized (lock) {
                mine = current == this;
            }
            if (!mine) {
                return; // replaced or closed on purpose
            }
            int code = reason.getCloseCode().getCode();
            if (code == RelayCloseCodes.TAKEN_OVER) {
                // Only a connection holding our routing key can do that: another copy of this
                // client. Reconnecting would take the ID back and forth; stop instead.
                listener.takenOver("the relay handed this session ID to another connection with the same key (4001)");
                return;
            }
            String phrase = reason.getReasonPhrase() == null || reason.getReasonPhrase().isEmpty()
                    ? "" : ": " + reason.getReasonPhrase();
            boolean rotate = code == RelayCloseCodes.GOING_AWAY || code == 1006;
            if (closedByUs != null) {
                scheduleReconnect(ClosedBy.CLIENT, "closed by this client (" + code + ": the relay sent a "
                        + closedByUs + ")", rotate);
            } else if (code == 1006) {
                scheduleReconnect(ClosedBy.NETWORK, "connection lost (1006: no close frame)", rotate);
            } else {
                scheduleReconnect(ClosedBy.RELAY, "closed by the relay (" + code + phrase + ")", rotate);
            }
        }

        @Override
        public void onError(Session session, Throwable error) {
            LOG.log(Level.FINE, "connection error: {0}", error.toString());
        }
    }
}

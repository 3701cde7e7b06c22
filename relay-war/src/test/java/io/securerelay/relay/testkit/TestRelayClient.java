package io.securerelay.relay.testkit;

import io.securerelay.protocol.relay.MalformedFrameException;
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
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A Tyrus relay client for tests: it connects over TLS, waits for the relay's CHALLENGE,
 * registers with a {@link RoutingKey} and queues every frame the relay sends it. Every wait has a
 * timeout.
 *
 * <p>Tyrus adds an {@code Origin} header (derived from the URI) to every handshake; a relay with
 * an empty origin allowlist refuses any handshake that has one, so this client removes it, as a
 * non-browser client should. {@link #openWithOrigin} sends a chosen one instead.
 */
public final class TestRelayClient extends Endpoint implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The registered session ID; {@code null} for a connection opened without registering. */
    public final SessionId id;
    private final RoutingKey key;
    private final BlockingQueue<RelayFrame.ServerFrame> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;
    private volatile byte[] challenge;
    private volatile RelayFrame.Register sentRegister;

    private TestRelayClient(RoutingKey key) {
        this.key = key;
        this.id = key == null ? null : key.sessionId();
    }

    /** Connects with a new random routing key and registers; returns once the relay confirmed it. */
    public static TestRelayClient connect(ClientManager client, URI uri, SecureRandom random) throws Exception {
        return connect(client, uri, RoutingKey.generate(random));
    }

    /**
     * Connects and registers with {@code key}; returns once the relay confirmed it. With the key of
     * a live connection, this one takes the session ID over (the other is closed with 4001).
     */
    public static TestRelayClient connect(ClientManager client, URI uri, RoutingKey key) throws Exception {
        TestRelayClient c = new TestRelayClient(key);
        c.connectTo(client, uri, null);
        c.awaitChallenge();
        c.sendRegister(key.register(c.challenge));
        RelayFrame.ServerFrame answer = c.next();
        if (!(answer instanceof RelayFrame.Registered r) || !r.sessionId().equals(c.id)) {
            throw new AssertionError("expected REGISTERED " + c.id + ", got " + answer);
        }
        return c;
    }

    /**
     * A registered connection that a test class keeps open from its first test to its last, so
     * that {@code client}'s Tyrus container always has an active client. Tyrus shuts the
     * container's executors down when its count of active clients drops to 0, and that races with
     * the next connect (Tyrus issue #640: a {@code RejectedExecutionException} in the next test,
     * more likely the busier the machine). The relay answers its pings; Tyrus answers the relay's.
     */
    public static TestRelayClient keepingTheClientContainerUp(ClientManager client, URI uri) throws Exception {
        // It is the first connection to a freshly booted relay: cold, its REGISTER can miss a
        // short registration timeout (2 s in RelayHardeningIT; seen in a clean-clone run). Try
        // again on a new connection, up to three times.
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RoutingKey key = RoutingKey.generate(new SecureRandom());
            TestRelayClient c = new TestRelayClient(key);
            try {
                c.connectTo(client, uri, null);
                c.awaitChallenge();
                c.sendRegister(key.register(c.challenge));
                if (c.poll(Duration.ofSeconds(10)) instanceof RelayFrame.Registered r && r.sessionId().equals(c.id)) {
                    return c;
                }
                last = new AssertionError("no REGISTERED for the keeper connection, attempt " + (attempt + 1));
            } catch (AssertionError e) {
                last = e;
            }
            c.close();
        }
        throw last;
    }

    /** Connects and waits for the CHALLENGE, without registering: {@link #challenge()} is set. */
    public static TestRelayClient open(ClientManager client, URI uri) throws Exception {
        TestRelayClient c = new TestRelayClient(null);
        c.connectTo(client, uri, null);
        c.awaitChallenge();
        return c;
    }

    /**
     * Connects with the handshake header {@code Origin: origin}; throws if the relay refuses the
     * handshake (a refused origin gets HTTP 403). Waits for the CHALLENGE.
     */
    public static TestRelayClient openWithOrigin(ClientManager client, URI uri, String origin) throws Exception {
        TestRelayClient c = new TestRelayClient(null);
        c.connectTo(client, uri, origin);
        c.awaitChallenge();
        return c;
    }

    private void connectTo(ClientManager client, URI uri, String origin) throws Exception {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.keySet().removeIf(h -> h.equalsIgnoreCase("Origin"));
                        if (origin != null) {
                            headers.put("Origin", List.of(origin));
                        }
                    }
                }).build();
        client.connectToServer(this, config, uri);
    }

    private void awaitChallenge() throws InterruptedException {
        RelayFrame.ServerFrame first = next();
        if (!(first instanceof RelayFrame.Challenge c)) {
            throw new AssertionError("expected CHALLENGE first, got " + first);
        }
        challenge = c.nonce();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        session.setMaxBinaryMessageBufferSize(2 << 20);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) frame -> {
            try {
                inbox.add(RelayCodec.decodeServerFrame(frame));
            } catch (MalformedFrameException e) {
                closed.completeExceptionally(new AssertionError("relay sent a malformed frame", e));
            }
        });
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        closed.complete(reason);
    }

    /** The nonce of the CHALLENGE this connection received. */
    public byte[] challenge() {
        return challenge.clone();
    }

    /** The REGISTER this client sent, as a thief on the wire would have seen it. */
    public RelayFrame.Register sentRegister() {
        return sentRegister;
    }

    /** The routing key this client registered with, or {@code null}. */
    public RoutingKey key() {
        return key;
    }

    /** Sends a REGISTER frame (any: valid, replayed or forged) without waiting for an answer. */
    public void sendRegister(RelayFrame.Register register) throws Exception {
        sentRegister = register;
        sendRaw(RelayCodec.encode(register));
    }

    public void send(SessionId to, byte[] payload) throws Exception {
        sendRaw(RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload))));
    }

    public void sendRaw(ByteBuffer frame) throws Exception {
        session.getBasicRemote().sendBinary(frame);
    }

    public void sendText(String text) throws Exception {
        session.getBasicRemote().sendText(text);
    }

    /** The next frame from the relay; fails the test if none comes within {@link #TIMEOUT}. */
    public RelayFrame.ServerFrame next() throws InterruptedException {
        RelayFrame.ServerFrame f = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError((id == null ? "client" : id.shortForm())
                    + ": no frame from the relay within " + TIMEOUT);
        }
        return f;
    }

    /** The next frame from the relay, or {@code null} if none comes within {@code timeout}. */
    public RelayFrame.ServerFrame poll(Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Frames received and not yet taken. */
    public int pending() {
        return inbox.size();
    }

    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** The close reason, once the relay closed this connection (fails after {@link #TIMEOUT}). */
    public CloseReason awaitClose() throws Exception {
        return awaitClose(TIMEOUT);
    }

    /** The close reason, once the relay closed this connection (fails after {@code timeout}). */
    public CloseReason awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close();
        }
    }
}

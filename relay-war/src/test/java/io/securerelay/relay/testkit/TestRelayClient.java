package io.securerelay.relay.testkit;

import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A Tyrus relay client for tests: it connects over TLS, sends REGISTER and queues every frame
 * the relay sends it. Every wait has a timeout.
 */
public final class TestRelayClient extends Endpoint implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    public final SessionId id;
    private final BlockingQueue<RelayFrame.ServerFrame> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private TestRelayClient(SessionId id) {
        this.id = id;
    }

    /** Connects and registers; returns once the relay confirmed the registration. */
    public static TestRelayClient connect(ClientManager client, URI uri, SecureRandom random) throws Exception {
        TestRelayClient c = open(client, uri, SessionId.random(random));
        RelayFrame.ServerFrame first = c.next();
        if (!(first instanceof RelayFrame.Registered r) || !r.sessionId().equals(c.id)) {
            throw new AssertionError("expected REGISTERED " + c.id + ", got " + first);
        }
        return c;
    }

    /** Connects and sends REGISTER for {@code id} without waiting for the answer. */
    public static TestRelayClient open(ClientManager client, URI uri, SessionId id) throws Exception {
        TestRelayClient c = new TestRelayClient(id);
        client.connectToServer(c, ClientEndpointConfig.Builder.create().build(), uri);
        c.sendRaw(RelayCodec.encode(new RelayFrame.Register(id)));
        return c;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        session.setMaxBinaryMessageBufferSize(1 << 20);
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
            throw new AssertionError(id.shortForm() + ": no frame from the relay within " + TIMEOUT);
        }
        return f;
    }

    /** Frames received and not yet taken. */
    public int pending() {
        return inbox.size();
    }

    /** The close reason, once the relay closed this connection (fails after {@link #TIMEOUT}). */
    public CloseReason awaitClose() throws Exception {
        return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close();
        }
    }
}

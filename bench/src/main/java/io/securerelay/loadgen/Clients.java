package io.securerelay.loadgen;

import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The generator's client side: a few {@link HttpClient}s (each has one selector thread; several
 * spread the TLS work over the cores), connections opened round-robin over them, and the relay's
 * registration (CHALLENGE, signed REGISTER, REGISTERED) for relay targets.
 */
final class Clients {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient[] clients;
    private final AtomicInteger next = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    Clients(SSLContext tls, int count) {
        clients = new HttpClient[count];
        for (int i = 0; i < count; i++) {
            clients[i] = HttpClient.newBuilder().sslContext(tls).connectTimeout(CONNECT_TIMEOUT).build();
        }
    }

    /** A fresh routing key (its session ID is the hash of its public key). */
    RoutingKey newKey() {
        return RoutingKey.generate(random);
    }

    /** A connection to an echo target, or an unregistered one to a relay (handler gets every frame). */
    CompletableFuture<WsConnection> connect(URI uri, WsConnection.Handler handler) {
        HttpClient c = clients[Math.floorMod(next.getAndIncrement(), clients.length)];
        return WsConnection.open(c, uri, handler, CONNECT_TIMEOUT);
    }

    /**
     * A connection registered under {@code key}'s session ID; {@code handler} gets every frame after
     * REGISTERED. Fails if the relay answers anything else or closes the connection.
     */
    CompletableFuture<WsConnection> connectRegistered(URI uri, RoutingKey key, WsConnection.Handler handler) {
        CompletableFuture<WsConnection> registered = new CompletableFuture<>();
        WsConnection.Handler registering = (c, frame) -> {
            RelayFrame.ServerFrame f;
            try {
                f = RelayCodec.decodeServerFrame(frame);
            } catch (MalformedFrameException e) {
                registered.completeExceptionally(e);
                c.abort();
                return;
            }
            if (f instanceof RelayFrame.Challenge challenge) {
                c.send(RelayCodec.encode(key.register(challenge.nonce())));
            } else if (f instanceof RelayFrame.Registered ok && ok.sessionId().equals(key.sessionId())) {
                c.handler(handler);
                registered.complete(c);
            } else {
                registered.completeExceptionally(new IllegalStateException("unexpected frame while registering: " + f));
                c.abort();
            }
        };
        connect(uri, registering).whenComplete((c, e) -> {
            if (e != null) {
                registered.completeExceptionally(e);
            } else {
                c.closed().whenComplete((code, err) -> registered.completeExceptionally(
                        err != null ? err : new IllegalStateException("closed with " + code + " while registering")));
            }
        });
        return registered;
    }

    /** The bytes {@code 01 02 to[16]}: the head of a SEND frame (for an echo target: the same size, no meaning). */
    static byte[] sendHeader(io.securerelay.protocol.relay.SessionId to) {
        ByteBuffer b = ByteBuffer.allocate(RelayCodec.ROUTED_HEADER);
        b.put(RelayCodec.VERSION).put(RelayCodec.TYPE_SEND);
        if (to != null) {
            b.put(to.toBytes());
        }
        return b.array();
    }
}

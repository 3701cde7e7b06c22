package io.securerelay.loadgen;

import io.securerelay.client.internal.Link;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A {@link Link} over an already registered {@link WsConnection} (java.net.http: a few selector
 * threads for all customers, where Tyrus starts threads per connection). It does not reconnect: in
 * the benchmark a lost connection is a failure, reported through {@code onLost}.
 */
final class CustomerLink implements Link {

    private final WsConnection connection;
    private final SessionId self;
    private final URI relay;
    private final Consumer<String> onLost;
    private final java.util.concurrent.atomic.AtomicLong framesOut;
    private volatile RelayLink.Listener listener;

    /** @param framesOut counts every frame this link sends (texts, resends, acknowledgements, handshakes) */
    CustomerLink(WsConnection connection, SessionId self, URI relay, Consumer<String> onLost,
            java.util.concurrent.atomic.AtomicLong framesOut) {
        this.framesOut = framesOut;
        this.connection = connection;
        this.self = self;
        this.relay = relay;
        this.onLost = onLost;
        connection.handler((c, frame) -> onFrame(frame));
        connection.closed().whenComplete((code, e) -> {
            String why = e != null ? e.toString() : "closed by the relay with " + code;
            onLost.accept(why);
            RelayLink.Listener l = listener;
            if (l != null) {
                l.disconnected(RelayLink.ClosedBy.NETWORK, why, Duration.ofDays(1));
            }
        });
    }

    /** The conversation this link reports to; set before {@link #start()}. */
    void listener(RelayLink.Listener l) {
        this.listener = l;
    }

    @Override
    public void start() {
        // Already registered: the conversation may send at once.
        listener.registered(self, relay);
    }

    @Override
    public boolean send(SessionId to, byte[] payload) {
        if (!connection.isOpen()) {
            return false;
        }
        framesOut.incrementAndGet();
        connection.send(RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload))));
        return true;
    }

    private void onFrame(ByteBuffer frame) {
        RelayLink.Listener l = listener;
        RelayFrame.ServerFrame f;
        try {
            f = RelayCodec.decodeServerFrame(frame);
        } catch (MalformedFrameException e) {
            if (l != null) {
                l.rejectedRelayFrame(e.getMessage(), frame.remaining());
            }
            return;
        }
        if (l == null) {
            onLost.accept("a frame before the conversation started: " + f);
        } else if (f instanceof RelayFrame.Deliver d) {
            byte[] payload = new byte[d.payload().remaining()];
            d.payload().duplicate().get(payload);
            l.delivered(d.from(), payload);
        } else if (f instanceof RelayFrame.Error e) {
            l.relayError(e);
        } else {
            onLost.accept("unexpected frame from the relay: " + f.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}

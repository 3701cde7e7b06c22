package io.securerelay.relay.endpoint;

import io.securerelay.relay.monitoring.RelayCounters;
import io.securerelay.relay.routing.PeerConnection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;


/**
 * Adapts a WebSocket {@link Session} to {@link PeerConnection}: asynchronous sends with a bound
 * on the bytes queued for this connection, so a receiver that stops reading is closed
 * ({@code 4008}) instead of growing the relay's heap.
 */
final class WebSocketPeer implements PeerConnection {

    private static final Logger LOG = Logger.getLogger(WebSocketPeer.class.getName());
    /** A close reason must fit a control frame: 123 bytes of UTF-8. */
    private static final int MAX_REASON_BYTES = 123;

    private final Session session;
    private final long maxPendingBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final RelayCounters counters;

    WebSocketPeer(Session session, long maxPendingBytes, RelayCounters counters) {
        this.session = session;
        this.maxPendingBytes = maxPendingBytes;
        this.counters = counters;
    }

    @Override
    public String label() {
        return session.getId();
    }

    long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public void send(ByteBuffer frame, Consumer<Throwable> onFailure) {
        send(frame, -1, false, onFailure);
    }

    @Override
    public void send(ByteBuffer frame, long receivedNanos, Consumer<Throwable> onFailure) {
        send(frame, receivedNanos, true, onFailure);
    }

    private void send(ByteBuffer frame, long receivedNanos, boolean relayed, Consumer<Throwable> onFailure) {
        int size = frame.remaining();
        if (pendingBytes.addAndGet(size) > maxPendingBytes) {
            pendingBytes.addAndGet(-size);
            close(io.securerelay.protocol.relay.RelayCloseCodes.SLOW_CONSUMER, "too many unread bytes");
            onFailure.accept(new IOException("receiver too slow: over " + maxPendingBytes + " bytes pending"));
            return;
        }
        counters.pending(size);
        try {
            session.getAsyncRemote().sendBinary(frame, (SendResult result) -> {
                pendingBytes.addAndGet(-size);
                counters.pending(-size);
                if (!result.isOK()) {
                    onFailure.accept(result.getException());
                } else if (relayed) {
                    counters.relayed(size, receivedNanos);
                }
            });
        } catch (RuntimeException e) {
            // The session closed between lookup and send.
            pendingBytes.addAndGet(-size);
            counters.pending(-size);
            onFailure.accept(e);
        }
    }

    @Override
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping of {0} failed: {1}", new Object[] {label(), e.toString()});
        }
    }

    @Override
    public void close(int closeCode, String reason) {
        counters.closed(closeCode);
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(closeCode), truncate(reason)));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "close of {0} failed: {1}", new Object[] {label(), e.toString()});
        }
    }

    static String truncate(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_REASON_BYTES) {
            return reason;
        }
        // Cut on a character boundary.
        String cut = reason;
        while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut;
    }
}

package io.securerelay.relay;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The relay's WebSocket endpoint at {@code /relay}: a thin adapter between the container and the
 * {@link Router}. One instance per connection.
 */
@ServerEndpoint("/relay")
public class RelayEndpoint {

    /** Largest binary message accepted: a SEND header plus the largest payload. */
    public static final int MAX_FRAME_BYTES = RelayCodec.ROUTED_HEADER + RelayConfig.MAX_PAYLOAD_BYTES;

    private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

    @Inject
    Router router;

    @Inject
    @ConfigProperty(name = RelayConfig.MAX_PENDING_BYTES, defaultValue = RelayConfig.MAX_PENDING_BYTES_DEFAULT)
    long maxPendingBytes;

    @Inject
    @ConfigProperty(name = RelayConfig.IDLE_TIMEOUT_SECONDS, defaultValue = RelayConfig.IDLE_TIMEOUT_SECONDS_DEFAULT)
    long idleTimeoutSeconds;

    private RelayConnection connection;

    @OnOpen
    public void onOpen(Session session) {
        session.setMaxIdleTimeout(idleTimeoutSeconds * 1000);
        connection = new RelayConnection(new WebSocketPeer(session, maxPendingBytes));
    }

    @OnMessage(maxMessageSize = MAX_FRAME_BYTES)
    public void onBinary(ByteBuffer frame) {
        router.onFrame(connection, frame);
    }

    @OnMessage
    public void onText(String text, Session session) {
        connection.peer().close(RelayCloseCodes.UNSUPPORTED_DATA, "the relay protocol is binary");
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        if (connection != null) {
            router.onClose(connection);
        }
    }

    @OnError
    public void onError(Session session, Throwable error) {
        // What a peer causes (bad frames, resets) is not the relay's error: debug level only.
        LOG.log(Level.FINE, "connection {0}: {1}", new Object[] {session.getId(), error.toString()});
        if (connection != null) {
            router.onClose(connection);
        }
    }
}

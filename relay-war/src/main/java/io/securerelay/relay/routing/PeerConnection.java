package io.securerelay.relay.routing;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * What the {@link Router} needs of one client connection. The WebSocket endpoint adapts a
 * {@code jakarta.websocket.Session} to it; unit tests record what the router did with it.
 */
public interface PeerConnection {

    /** A short, non-secret label for logs (the container's connection ID). */
    String label();

    /**
     * Sends {@code frame} asynchronously, never blocking the caller; frames sent on one
     * connection go out in the order of the calls.
     *
     * @param onFailure called (once, on any thread) if the frame could not be written
     */
    void send(ByteBuffer frame, Consumer<Throwable> onFailure);

    /**
     * Sends a DELIVER frame relaying a SEND received at {@code receivedNanos}
     * ({@link System#nanoTime()}): as {@link #send(ByteBuffer, Consumer)}, and counted as relayed
     * (frames, bytes, latency) once written.
     */
    default void send(ByteBuffer frame, long receivedNanos, Consumer<Throwable> onFailure) {
        send(frame, onFailure);
    }

    /** Sends a WebSocket ping (keep-alive); a failure is ignored: the idle timeout handles a dead peer. */
    void ping();

    /** Closes the connection with a WebSocket close code and a short reason (at most 123 bytes). */
    void close(int closeCode, String reason);
}

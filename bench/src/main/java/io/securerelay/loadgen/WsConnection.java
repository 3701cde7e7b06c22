package io.securerelay.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client WebSocket on {@code java.net.http}: reassembles binary messages, hands each whole
 * message to the current {@link Handler} (on the client's threads, one message at a time), and
 * queues sends, since {@code java.net.http.WebSocket} allows only one send in progress.
 */
final class WsConnection implements WebSocket.Listener {

    /** Receives whole binary messages; the buffer is valid only during the call. */
    @FunctionalInterface
    interface Handler {
        void onFrame(WsConnection connection, ByteBuffer frame);
    }

    private final Queue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> pinged = new CompletableFuture<>();
    private volatile Handler handler;
    private volatile WebSocket socket;
    private ByteBuffer partial;

    private WsConnection(Handler handler) {
        this.handler = handler;
    }

    /** Opens a connection to {@code uri}; {@code handler} gets every message from the first on. */
    static CompletableFuture<WsConnection> open(HttpClient client, URI uri, Handler handler, Duration timeout) {
        WsConnection c = new WsConnection(handler);
        return client.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, c).thenApply(ws -> c);
    }

    void handler(Handler next) {
        this.handler = next;
    }

    /** Completes with the close code the server sent, or exceptionally on a transport error. */
    CompletableFuture<Integer> closed() {
        return closed;
    }

    boolean isOpen() {
        WebSocket ws = socket;
        return ws != null && !closed.isDone() && !ws.isOutputClosed();
    }

    /** Queues {@code frame} (whole, from position to limit); frames leave in the order queued. */
    void send(ByteBuffer frame) {
        queue.add(frame);
        drain();
    }

    private void drain() {
        while (sending.compareAndSet(false, true)) {
            ByteBuffer next = queue.poll();
            if (next == null) {
                sending.set(false);
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            CompletableFuture<WebSocket> sent = socket.sendBinary(next, true);
            if (sent.isDone()) {
                if (sent.isCompletedExceptionally()) {
                    sent.whenComplete((ws, e) -> failed(e));
                }
                sending.set(false);
                continue;
            }
            sent.whenComplete((ws, e) -> {
                if (e != null) {
                    failed(e);
                }
                sending.set(false);
                drain();
            });
            return;
        }
    }

    private void failed(Throwable e) {
        closed.completeExceptionally(e);
        queue.clear();
    }

    /** Starts the closing handshake (1000); completes when the server's close arrived or times out. */
    CompletableFuture<Integer> close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
        return closed;
    }

    /** Drops the TCP connection at once. */
    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        closed.complete(1006);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        if (partial == null && last) {
            handler.onFrame(this, data);
        } else {
            ByteBuffer acc = partial == null ? ByteBuffer.allocate(Math.max(2 * data.remaining(), 4096)) : partial;
            if (acc.remaining() < data.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(2 * (acc.position() + data.remaining()));
                acc.flip();
                bigger.put(acc);
                acc = bigger;
            }
            acc.put(data);
            partial = acc;
            if (last) {
                acc.flip();
                partial = null;
                handler.onFrame(this, acc);
            }
        }
        webSocket.request(1);
        return null;
    }

    /** Completes when the server's first WebSocket ping arrived (the client answers pings itself). */
    CompletableFuture<Void> pinged() {
        return pinged;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pinged.complete(null);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        closed.completeExceptionally(new IllegalStateException("unexpected text message"));
        webSocket.abort();
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }
}

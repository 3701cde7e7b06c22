package io.securerelay.relay.tyrus;

import jakarta.servlet.http.WebConnection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * Tyrus' servlet upgrade handler, whose input passes a {@link FrameHeaderScanner} first: a frame
 * whose header declares more than the relay's frame-size limit ends the connection with 1009 when
 * its header arrives, before Tyrus buffers any of it (Tyrus itself reads a whole frame, up to its
 * 4 MiB incoming buffer, before any size check, and answers larger ones with 1011).
 *
 * <p>Only public API: {@link TyrusHttpUpgradeHandler} is the public class Tyrus' servlet
 * integration upgrades every WebSocket request to, through {@code HttpServletRequest.upgrade}, and
 * {@link FrameLimitFilter} hands it this subclass instead. The handler's {@code init} runs the
 * endpoint's {@code @OnOpen} on the calling thread, which is how the endpoint tells it
 * ({@link #whenOversize}) how to close the connection.
 */
public class FrameLimitUpgradeHandler extends TyrusHttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(FrameLimitUpgradeHandler.class.getName());
    private static final ThreadLocal<FrameLimitUpgradeHandler> OPENING = new ThreadLocal<>();
    private static final LongAdder GUARDED = new LongAdder();
    private static final LongAdder STOPPED = new LongAdder();

    private volatile long limit = -1;
    private volatile FrameHeaderScanner scanner;
    private volatile Consumer<String> closer;
    private volatile GuardedWebConnection guarded;
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** Made by the container, for {@link FrameLimitFilter}. */
    public FrameLimitUpgradeHandler() {
    }

    /** Connections opened with the guard in place since start (the {@code relay_frame_guard_connections} gauge). */
    public static long guardedConnections() {
        return GUARDED.sum();
    }

    /** Oversize frames stopped at their header since start ({@code relay_frame_guard_stopped}). */
    public static long stoppedFrames() {
        return STOPPED.sum();
    }

    /**
     * From the endpoint's {@code @OnOpen}: {@code close} is called once, with the reason, if the
     * connection being opened on this thread announces an oversize frame. It is called inside the
     * container's read callback: it must hand the close to another thread (closing the
     * {@code WebConnection} there deadlocks Payara 6.2025.10's {@code InputBuffer} with a
     * concurrent close by the client). Returns whether there is
     * such a connection (false: it was not upgraded through {@link FrameLimitFilter}).
     */
    public static boolean whenOversize(Consumer<String> close) {
        FrameLimitUpgradeHandler handler = OPENING.get();
        if (handler == null) {
            return false;
        }
        handler.closer = close;
        return true;
    }

    /** Sets the limit before the container calls {@link #init}. */
    void limit(long maxFrameBytes) {
        this.limit = maxFrameBytes;
    }

    @Override
    public void init(WebConnection wc) {
        if (limit < 0) {
            super.init(wc);
            return;
        }
        FrameHeaderScanner s = new FrameHeaderScanner(limit);
        scanner = s;
        GuardedWebConnection g = new GuardedWebConnection(wc, s);
        guarded = g;
        GUARDED.increment();
        OPENING.set(this);
        try {
            super.init(g);
        } finally {
            OPENING.remove();
        }
    }

    @Override
    public void onDataAvailable() {
        super.onDataAvailable();
        FrameHeaderScanner s = scanner;
        if (s != null && s.found() && stopped.compareAndSet(false, true)) {
            STOPPED.increment();
            guarded.dropUnread();
            String reason = "frame of " + s.declaredLength64() + " bytes over the limit of " + s.limit();
            Consumer<String> close = closer;
            if (close != null) {
                close.accept(reason);
                return;
            }
            // No endpoint said how to close (it did not open): end the connection itself, off this
            // read callback (see whenOversize).
            GuardedWebConnection g = guarded;
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    g.close();
                } catch (Exception e) {
                    LOG.log(Level.FINE, "closing a connection with an oversize frame failed: {0}", e.toString());
                }
            });
        }
    }
}

package io.securerelay.relay.tyrus;

import io.securerelay.protocol.relay.RelayCloseCodes;
import jakarta.servlet.http.WebConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;
import org.glassfish.tyrus.spi.WebSocketEngine;
import org.glassfish.tyrus.spi.Writer;

/**
 * Tyrus' servlet upgrade handler with two things of the relay's in front of it, through public API
 * only:
 * <ul>
 * <li>its input passes a {@link FrameHeaderScanner} first: a frame that is not masked ends the
 *     connection with 1002, and one whose header declares more than the relay's frame-size limit
 *     with 1009, when its header arrives, before Tyrus buffers any of it (Tyrus accepts unmasked
 *     client frames, and reads a whole frame, up to its 4 MiB incoming buffer, before any size
 *     check, answering larger ones with 1011);
 * <li>each read ({@link #onDataAvailable}) is one {@link FlushBatch}: the frames it makes the relay
 *     send leave in one flush per receiving connection, when the read has been handled
 *     ({@link BatchingOutputStream}), instead of one TLS record and socket write per frame.
 * </ul>
 *
 * <p>{@link TyrusHttpUpgradeHandler} is the public class Tyrus' servlet integration upgrades every
 * WebSocket request to, through {@code HttpServletRequest.upgrade}, and {@link RelayUpgradeFilter}
 * hands it this subclass instead. Tyrus gives it the connection's {@code Writer} ({@link #preInit},
 * public) and takes the connection's streams from the {@code WebConnection} passed to
 * {@link #init}. The handler's {@code init} runs the endpoint's {@code @OnOpen} on the calling
 * thread, which is how the endpoint finds its connection ({@link #opening}) and tells it how to
 * close on a refused frame.
 */
public class RelayUpgradeHandler extends TyrusHttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(RelayUpgradeHandler.class.getName());
    private static final ThreadLocal<RelayUpgradeHandler> OPENING = new ThreadLocal<>();
    private static final LongAdder GUARDED = new LongAdder();
    private static final LongAdder STOPPED = new LongAdder();
    private static final LongAdder UNMASKED = new LongAdder();

    private volatile long limit = -1;
    private volatile boolean batchFlushes;
    private volatile Writer writer;
    private volatile FrameHeaderScanner scanner;
    private volatile RelayWebConnection guarded;
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** Made by the container, for {@link RelayUpgradeFilter}. */
    public RelayUpgradeHandler() {
    }

    /** Connections opened with the guard in place since start (the {@code relay_frame_guard_connections} gauge). */
    public static long guardedConnections() {
        return GUARDED.sum();
    }

    /** Oversize frames stopped at their header since start ({@code relay_frame_guard_stopped}). */
    public static long stoppedFrames() {
        return STOPPED.sum();
    }

    /** Unmasked client frames refused since start ({@code relay_frames_unmasked_refused}). */
    public static long unmaskedFrames() {
        return UNMASKED.sum();
    }

    /** Flushes deferred to the end of a read since start (the {@code relay_flushes_deferred} gauge). */
    public static long deferredFlushes() {
        return BatchingOutputStream.deferred();
    }

    /** Deferred flushes done at the end of reads since start ({@code relay_flushes_batched}). */
    public static long batchedFlushes() {
        return BatchingOutputStream.batchedFlushes();
    }

    /**
     * From the endpoint's {@code @OnOpen}: the connection being opened on this thread, or null if
     * it was not upgraded through {@link RelayUpgradeFilter}.
     */
    public static RelayWebConnection opening() {
        RelayUpgradeHandler handler = OPENING.get();
        return handler == null ? null : handler.guarded;
    }

    /**
     * Runs {@code writes} as if one read had caused them: the flushes of the connections they write
     * to wait until it returns, then each is flushed once (for frames that arrive together from
     * elsewhere: a batch from another cluster instance). Without batched flushes, the streams flush
     * at once and this just runs it.
     */
    public static void asOneRead(Runnable writes) {
        FlushBatch batch = FlushBatch.current();
        batch.enter();
        try {
            writes.run();
        } finally {
            batch.exit();
        }
    }

    /** Sets the limit and the batching before the container calls {@link #init}. */
    void configure(long maxFrameBytes, boolean batch) {
        this.limit = maxFrameBytes;
        this.batchFlushes = batch;
    }

    @Override
    public void preInit(WebSocketEngine.UpgradeInfo upgradeInfo, Writer writer, boolean authenticated) {
        this.writer = writer;
        super.preInit(upgradeInfo, writer, authenticated);
    }

    @Override
    public void init(WebConnection wc) {
        if (limit < 0) {
            super.init(wc);
            return;
        }
        FrameHeaderScanner s = new FrameHeaderScanner(limit);
        scanner = s;
        RelayWebConnection g = new RelayWebConnection(wc, s, batchFlushes ? writer : null);
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
        if (batchFlushes) {
            FlushBatch batch = FlushBatch.current();
            batch.enter();
            try {
                super.onDataAvailable();
            } finally {
                batch.exit();
            }
        } else {
            super.onDataAvailable();
        }
        FrameHeaderScanner s = scanner;
        if (s != null && s.found() && stopped.compareAndSet(false, true)) {
            refuse(s);
        }
    }

    private void refuse(FrameHeaderScanner s) {
        guarded.dropUnread();
        int code;
        String reason;
        if (s.refusal() == FrameHeaderScanner.Refusal.UNMASKED) {
            UNMASKED.increment();
            code = RelayCloseCodes.PROTOCOL_ERROR;
            reason = "client frames must be masked";
        } else {
            STOPPED.increment();
            code = RelayCloseCodes.TOO_BIG;
            reason = "frame of " + s.declaredLength64() + " bytes over the limit of " + s.limit();
        }
        RelayWebConnection.Closer close = guarded.closer();
        if (close != null) {
            close.close(code, reason);
            return;
        }
        // No endpoint said how to close (it did not open): end the connection itself, off this
        // read callback (see RelayWebConnection.onRefusedFrame).
        RelayWebConnection g = guarded;
        CompletableFuture.runAsync(() -> {
            try {
                g.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing a connection with a refused frame failed: {0}", e.toString());
            }
        });
    }
}

package io.securerelay.relay.tyrus;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An upgraded connection's output stream as Tyrus' writer sees it: writes go straight through; a
 * flush on a thread inside a read ({@link FlushBatch#active}) is remembered and done when that read
 * has been handled; a flush on any other thread (keep-alive pings, timers) is done at once.
 *
 * <p>Frames still leave in the order they were written (only the flush is later), and no later
 * than the end of the read that produced them: no timer, no waiting for more input.
 *
 * <p>Locking: every use of the container's stream happens under {@code lock}, the connection's
 * Tyrus {@code Writer}. Tyrus 2 calls {@code write} and {@code flush} inside that object's monitor
 * (its servlet writer's {@code write} is {@code synchronized}), so the deferred flush, from another
 * thread, takes the same monitor and never runs beside a write. Were a future Tyrus to lock
 * otherwise, this class still serialises every use of the stream on that one monitor.
 */
final class BatchingOutputStream extends ServletOutputStream {

    private static final Logger LOG = Logger.getLogger(BatchingOutputStream.class.getName());
    private static final LongAdder DEFERRED = new LongAdder();
    private static final LongAdder FLUSHES = new LongAdder();

    private final ServletOutputStream out;
    private final Object lock;
    private final BooleanSupplier closed;
    /** Guarded by {@link #lock}. */
    private boolean flushPending;

    /**
     * @param out    the container's stream
     * @param lock   the monitor Tyrus writes under (its {@code Writer} for this connection)
     * @param closed whether the connection was closed (closing flushed what was written)
     */
    BatchingOutputStream(ServletOutputStream out, Object lock, BooleanSupplier closed) {
        this.out = out;
        this.lock = lock;
        this.closed = closed;
    }

    /** Flushes deferred to the end of a read since start (the {@code relay_flushes_deferred} gauge). */
    static long deferred() {
        return DEFERRED.sum();
    }

    /** Deferred flushes done at the end of reads since start ({@code relay_flushes_batched}). */
    static long batchedFlushes() {
        return FLUSHES.sum();
    }

    @Override
    public void write(int b) throws IOException {
        synchronized (lock) {
            out.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        synchronized (lock) {
            out.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        FlushBatch batch = FlushBatch.current();
        synchronized (lock) {
            if (!batch.active()) {
                flushPending = false;
                out.flush();
                return;
            }
            DEFERRED.increment();
            if (flushPending) {
                return; // already in some thread's batch, which flushes after this write
            }
            flushPending = true;
        }
        batch.defer(this);
    }

    /** The flush a read deferred, at the end of that read. */
    void flushDeferred() {
        synchronized (lock) {
            if (!flushPending) {
                return; // flushed since
            }
            flushPending = false;
            if (closed.getAsBoolean()) {
                // Closed during this read: closing the servlet connection flushed what was written
                // (the close frame) and recycled the stream; a flush now would only throw (Payara 6
                // throws a NullPointerException from inside its OutputBuffer).
                return;
            }
            FLUSHES.increment();
            try {
                out.flush();
            } catch (IOException | RuntimeException e) {
                // The connection is gone; Tyrus sees it on its next read or write.
                LOG.log(Level.FINE, "deferred flush failed: {0}", e.toString());
            }
        }
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        out.setWriteListener(listener);
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            flushPending = false;
            out.close();
        }
    }
}

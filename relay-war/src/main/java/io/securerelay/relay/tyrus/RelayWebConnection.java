package io.securerelay.relay.tyrus;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The container's upgraded connection as Tyrus sees it: its input through a {@link GuardedInputStream}
 * (frames refused at their header), its output through a {@link BatchingOutputStream} when flushes
 * are batched.
 */
public final class RelayWebConnection implements WebConnection {

    private final WebConnection connection;
    private final FrameHeaderScanner scanner;
    /** Tyrus' writer of this connection, the monitor its writes hold; null: flushes are not batched. */
    private final Object writer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Closer closer;
    private GuardedInputStream input;
    private ServletOutputStream output;

    /** How the endpoint closes its connection, with a close code and a reason. */
    @FunctionalInterface
    public interface Closer {
        void close(int code, String reason);
    }

    RelayWebConnection(WebConnection connection, FrameHeaderScanner scanner, Object writer) {
        this.connection = connection;
        this.scanner = scanner;
        this.writer = writer;
    }

    /**
     * From the endpoint's {@code @OnOpen}: {@code close} is called once, with the close code and
     * reason, if the client sends a frame refused at its header (1009 oversize, 1002 unmasked). It
     * is called inside the container's read callback, so it must hand the close to another thread:
     * closing the {@code WebConnection} there deadlocks Payara 6.2025.10's {@code InputBuffer} with
     * a concurrent close by the client (docs/PAYARA-NOTES.md).
     */
    public void onRefusedFrame(Closer close) {
        this.closer = close;
    }

    Closer closer() {
        return closer;
    }

    /** The container's own connection, under this one. */
    public WebConnection container() {
        return connection;
    }

    @Override
    public synchronized ServletInputStream getInputStream() throws IOException {
        if (input == null) {
            input = new GuardedInputStream(connection.getInputStream(), scanner);
        }
        return input;
    }

    /**
     * Reads and drops what the client sent after an oversize frame's header and the container
     * holds, so that the connection closes with nothing unread (an unread byte turns the close
     * into a TCP reset, which can cost the client the close frame).
     */
    synchronized void dropUnread() {
        if (input != null) {
            try {
                input.dropAvailable();
            } catch (IOException e) {
                // the connection is ending anyway
            }
        }
    }

    @Override
    public synchronized ServletOutputStream getOutputStream() throws IOException {
        if (output == null) {
            ServletOutputStream out = connection.getOutputStream();
            output = writer == null ? out : new BatchingOutputStream(out, writer, closed::get);
        }
        return output;
    }

    /** Whether {@link #close} was called (Tyrus closes the connection through it). */
    boolean closed() {
        return closed.get();
    }

    @Override
    public void close() throws Exception {
        closed.set(true);
        connection.close();
    }
}

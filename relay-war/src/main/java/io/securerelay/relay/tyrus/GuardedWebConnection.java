package io.securerelay.relay.tyrus;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;

/** The container's upgraded connection, with its input seen through a {@link GuardedInputStream}. */
public final class GuardedWebConnection implements WebConnection {

    private final WebConnection connection;
    private final FrameHeaderScanner scanner;
    private GuardedInputStream input;

    GuardedWebConnection(WebConnection connection, FrameHeaderScanner scanner) {
        this.connection = connection;
        this.scanner = scanner;
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
    public ServletOutputStream getOutputStream() throws IOException {
        return connection.getOutputStream();
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}

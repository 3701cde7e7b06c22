package io.securerelay.relay.tyrus;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/**
 * The upgraded connection's input as Tyrus reads it: the container's stream, with every byte
 * passed through a {@link FrameHeaderScanner}. Tyrus gets the bytes that come before the header of
 * an oversize frame and nothing after it: from then on the stream reports that it is not ready
 * and reads (and drops) what the client still sends, so an oversize frame is never buffered.
 */
final class GuardedInputStream extends ServletInputStream {

    private final ServletInputStream in;
    private final FrameHeaderScanner scanner;
    private byte[] one;
    private byte[] drain;

    GuardedInputStream(ServletInputStream in, FrameHeaderScanner scanner) {
        this.in = in;
        this.scanner = scanner;
    }

    /** Whether an oversize frame was announced; Tyrus has seen none of it. */
    boolean tripped() {
        return scanner.found();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (scanner.found()) {
            return dropAvailable();
        }
        int n = in.read(b, off, len);
        if (n <= 0) {
            return n;
        }
        return scanner.scan(b, off, n);
    }

    /** One byte, scanned like the others; after an oversize header: the end of the stream. */
    @Override
    public int read() throws IOException {
        if (scanner.found()) {
            dropAvailable();
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            return b;
        }
        if (one == null) {
            one = new byte[1];
        }
        one[0] = (byte) b;
        return scanner.scan(one, 0, 1) == 1 ? b : -1;
    }

    /** After an oversize header: what the client sent so far is read and dropped, never kept. */
    int dropAvailable() throws IOException {
        if (drain == null) {
            drain = new byte[8192];
        }
        while (in.isReady() && in.read(drain) > 0) {
            // drop
        }
        return 0;
    }

    @Override
    public int available() throws IOException {
        return scanner.found() ? 0 : in.available();
    }

    @Override
    public boolean isFinished() {
        return in.isFinished();
    }

    @Override
    public boolean isReady() {
        boolean ready = in.isReady();
        return ready && !scanner.found();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

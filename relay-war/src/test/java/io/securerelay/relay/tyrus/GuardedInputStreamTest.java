package io.securerelay.relay.tyrus;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


class GuardedInputStreamTest {

    /** The container's side: bytes in memory, ready while some are left. */
    private static final class Bytes extends ServletInputStream {
        private final ByteArrayInputStream in;

        Bytes(byte[] b) {
            in = new ByteArrayInputStream(b);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1000));
        }

        @Override
        public int available() {
            return in.available();
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return in.available() > 0;
        }

        @Override
        public void setReadListener(ReadListener listener) {
        }
    }

    @Test
    void tyrusGetsTheFramesBeforeAnOversizeOneAndNothingAfterWhichIsDropped() throws Exception {
        byte[] ok = FrameHeaderScannerTest.frame(2, 3000, true);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(ok);
        all.writeBytes(FrameHeaderScannerTest.header(2, 8L << 20, true));
        all.writeBytes(new byte[20_000]);
        Bytes container = new Bytes(all.toByteArray());
        GuardedInputStream guarded = new GuardedInputStream(container, new FrameHeaderScanner(65_554));

        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (guarded.isReady()) {
            int n = guarded.read(buf, 0, buf.length);
            seen.write(buf, 0, n);
        }
        assertEquals(ok.length, seen.size(), "bytes Tyrus saw");
        assertTrue(guarded.tripped());
        assertFalse(guarded.isReady());
        assertEquals(0, guarded.available());
        // What the client sent after the header is read from the container and dropped.
        assertEquals(0, guarded.read(buf, 0, buf.length));
        assertEquals(0, container.available(), "bytes left unread in the container");
        assertEquals(-1, guarded.read());
    }

    @Test
    void singleByteReadsAreScannedToo() throws Exception {
        byte[] stream = FrameHeaderScannerTest.header(2, 70_000, true);
        GuardedInputStream guarded = new GuardedInputStream(new Bytes(stream), new FrameHeaderScanner(65_554));
        int passed = 0;
        while (guarded.read() >= 0) {
            passed++;
        }
        assertEquals(9, passed, "the header's bytes before its 64-bit length completed");
        assertTrue(guarded.tripped());
    }
}

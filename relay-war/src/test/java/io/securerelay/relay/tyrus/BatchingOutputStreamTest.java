package io.securerelay.relay.tyrus;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;


/**
 * Flushes a thread makes inside a read wait for the end of that read, once per stream; every
 * other flush happens at once; a stream closed meanwhile is not flushed again.
 */
class BatchingOutputStreamTest {

    /** The container's stream: counts flushes, keeps what was written. */
    static final class Recording extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int flushes;

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }
    }

    private final Object writer = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();

    @Test
    void outsideAReadEveryFlushHappensAtOnce() throws Exception {
        Recording out = new Recording();
        BatchingOutputStream s = new BatchingOutputStream(out, writer, closed::get);
        s.write(new byte[] {1, 2}, 0, 2);
        s.flush();
        s.write(3);
        s.flush();
        assertEquals(2, out.flushes);
        assertArrayEquals(new byte[] {1, 2, 3}, out.bytes.toByteArray());
    }

    @Test
    void insideAReadTheFlushesOfEachStreamWaitForItsEndAndHappenOnce() throws Exception {
        Recording a = new Recording();
        Recording b = new Recording();
        BatchingOutputStream sa = new BatchingOutputStream(a, writer, closed::get);
        BatchingOutputStream sb = new BatchingOutputStream(b, new Object(), closed::get);
        FlushBatch batch = FlushBatch.current();
        long deferred0 = BatchingOutputStream.deferred();
        batch.enter();
        for (int i = 0; i < 12; i++) {
            sa.write(new byte[] {(byte) i}, 0, 1);
            sa.flush();
            sb.write(new byte[] {(byte) -i}, 0, 1);
            sb.flush();
        }
        assertEquals(0, a.flushes, "nothing flushed before the read ends");
        assertEquals(0, b.flushes);
        batch.enter(); // a nested read ends without flushing
        batch.exit();
        assertEquals(0, a.flushes);
        batch.exit();
        assertEquals(1, a.flushes, "one flush for the read's twelve frames");
        assertEquals(1, b.flushes);
        assertEquals(24, BatchingOutputStream.deferred() - deferred0);
        assertEquals(12, a.bytes.size(), "every byte written, in order");
        sa.flush();
        assertEquals(2, a.flushes, "after the read: at once again");
    }

    @Test
    void aFlushFromAnotherThreadIsNotHeldByThisThreadsRead() throws Exception {
        Recording out = new Recording();
        BatchingOutputStream s = new BatchingOutputStream(out, writer, closed::get);
        FlushBatch.current().enter();
        try {
            CompletableFuture.runAsync(() -> {
                try {
                    s.write(1);
                    s.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(10, TimeUnit.SECONDS);
            assertEquals(1, out.flushes);
        } finally {
            FlushBatch.current().exit();
        }
    }

    @Test
    void aStreamClosedDuringTheReadIsNotFlushedAfterIt() throws Exception {
        Recording out = new Recording();
        BatchingOutputStream s = new BatchingOutputStream(out, writer, closed::get);
        FlushBatch batch = FlushBatch.current();
        batch.enter();
        s.write(1);
        s.flush();
        closed.set(true); // Tyrus closed the connection in this read: the close flushed it
        batch.exit();
        assertEquals(0, out.flushes);
    }
}

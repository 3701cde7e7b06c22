package io.securerelay.relay.tyrus;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


class FrameHeaderScannerTest {

    private static final int LIMIT = 65_554;

    /** A client frame header (masked, as clients send) for a payload of {@code length} bytes. */
    static byte[] header(int opcode, long length, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            out.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(maskBit | 127);
            for (int k = 7; k >= 0; k--) {
                out.write((int) (length >>> (8 * k)));
            }
        }
        if (masked) {
            out.write(new byte[] {1, 2, 3, 4}, 0, 4);
        }
        return out.toByteArray();
    }

    static byte[] frame(int opcode, int length, boolean masked) {
        byte[] h = header(opcode, length, masked);
        byte[] f = new byte[h.length + length];
        System.arraycopy(h, 0, f, 0, h.length);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** Feeds {@code stream} in random cuts; returns the bytes passed before the scanner stopped. */
    private static int feed(FrameHeaderScanner scanner, byte[] stream, Random random) {
        int passed = 0;
        int i = 0;
        while (i < stream.length) {
            int n = 1 + random.nextInt(Math.min(stream.length - i, 1 + random.nextInt(40_000)));
            int k = scanner.scan(stream, i, n);
            passed += k;
            if (k < n) {
                assertTrue(scanner.found());
                // Nothing after the finding is scanned.
                assertEquals(0, scanner.scan(stream, i + k, stream.length - i - k));
                return passed;
            }
            i += n;
        }
        return passed;
    }

    @Test
    void framesUpToTheLimitPassWhateverTheCuts() {
        byte[] stream = concat(frame(2, 0, true), frame(2, 125, true), frame(2, 126, true), frame(9, 0, true),
                frame(2, LIMIT, true), frame(0, 65_535, true), frame(2, 17, true), frame(8, 2, true));
        Random random = new Random(1);
        for (int run = 0; run < 200; run++) {
            FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
            assertEquals(stream.length, feed(scanner, stream, random));
            assertFalse(scanner.found());
        }
    }

    @Test
    void anOversizeFrameStopsAtTheStartOfItsHeaderBeforeAnyPayload() {
        byte[] before = concat(frame(2, 1000, true), frame(2, LIMIT, true));
        long[] sizes = {LIMIT + 1L, 1L << 20, 8L << 20, 100L << 20, Long.MAX_VALUE};
        Random random = new Random(2);
        for (long size : sizes) {
            {
                // The payload after the header would follow; give a little of it.
                byte[] stream = concat(before, header(2, size, true), new byte[5000]);
                for (int run = 0; run < 50; run++) {
                    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
                    int passed = feed(scanner, stream, random);
                    // All frames before it, and at most the part of its header before the length
                    // field completed (9 bytes) if the header was cut there.
                    assertTrue(passed >= before.length && passed <= before.length + 9,
                            "size " + size + ": " + passed + " bytes passed");
                    assertEquals(Long.toString(size), scanner.declaredLength64());
                    assertEquals(FrameHeaderScanner.Refusal.OVERSIZE, scanner.refusal());
                }
            }
        }
    }

    @Test
    void passesExactlyTheFramesBeforeAnOversizeOneInOneRead() {
        byte[] before = concat(frame(2, 10, true), frame(2, LIMIT, true));
        byte[] stream = concat(before, header(2, LIMIT + 1L, true), new byte[100]);
        FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
        assertEquals(before.length, scanner.scan(stream, 0, stream.length));
        assertEquals("65555", scanner.declaredLength64());
    }

    @Test
    void aLengthWithItsTopBitSetIsOversizeAndReportedUnsigned() {
        byte[] h = header(2, 0, true);
        byte[] stream = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
        assertEquals(h.length, scanner.scan(h, 0, h.length));
        assertEquals(0, scanner.scan(stream, 0, stream.length));
        assertEquals("9223372036854775808", scanner.declaredLength64());
    }

    @Test
    void aHeaderSplitByteByByteIsFollowed() {
        byte[] stream = concat(frame(2, 300, true), header(2, LIMIT + 1L, true));
        FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
        int passed = 0;
        for (int i = 0; i < stream.length; i++) {
            passed += scanner.scan(stream, i, 1);
        }
        // 65,555 needs the 64-bit length: the header's first 9 bytes were passed before its
        // length field was complete; not one byte of payload.
        assertEquals(308 + 9, passed);
        assertTrue(scanner.found());
    }

    /**
     * RFC 6455 5.1: a client frame that is not masked is refused at its second byte (where the
     * MASK bit is), whatever its type and size and however the stream is cut; the frames before it
     * pass whole.
     */
    @Test
    void anUnmaskedFrameIsRefusedAtItsSecondByte() {
        byte[] before = concat(frame(2, 1000, true), frame(9, 0, true), frame(2, 300, true));
        Random random = new Random(3);
        for (int[] kind : new int[][] {{2, 17}, {2, 0}, {9, 1}, {8, 2}, {0, 126}, {2, 70_000}}) {
            byte[] stream = concat(before, frame(kind[0], kind[1], false), frame(2, 10, true));
            for (int run = 0; run < 50; run++) {
                FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
                int passed = feed(scanner, stream, random);
                assertTrue(passed >= before.length && passed <= before.length + 1,
                        "opcode " + kind[0] + ", " + kind[1] + " bytes: " + passed + " bytes passed");
                assertEquals(FrameHeaderScanner.Refusal.UNMASKED, scanner.refusal());
            }
        }
        FrameHeaderScanner whole = new FrameHeaderScanner(LIMIT);
        byte[] stream = concat(before, frame(2, 5, false));
        assertEquals(before.length, whole.scan(stream, 0, stream.length), "one read: exactly the frames before it");
    }
}

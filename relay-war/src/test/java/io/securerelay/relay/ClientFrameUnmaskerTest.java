package io.securerelay.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientFrameUnmasker} against a byte-by-byte reference (RFC 6455 5.2 and 5.3): every frame
 * comes out unmasked and otherwise identical, however the stream is cut into reads.
 */
class ClientFrameUnmaskerTest {

    /** One frame as a client sends it (masked unless key is null) and as Tyrus should get it. */
    private record Frame(byte[] wire, byte[] unmasked) {
    }

    private static Frame frame(int b0, byte[] payload, byte[] key) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        int maskBit = key == null ? 0 : 0x80;
        wire.write(b0);
        plain.write(b0);
        int n = payload.length;
        if (n < 126) {
            wire.write(maskBit | n);
            plain.write(n);
        } else if (n < 65_536) {
            wire.write(maskBit | 126);
            plain.write(126);
            for (int s = 8; s >= 0; s -= 8) {
                wire.write(n >>> s);
                plain.write(n >>> s);
            }
        } else {
            wire.write(maskBit | 127);
            plain.write(127);
            for (int s = 56; s >= 0; s -= 8) {
                wire.write((int) ((long) n >>> s));
                plain.write((int) ((long) n >>> s));
            }
        }
        if (key != null) {
            wire.write(key, 0, 4);
        }
        for (int i = 0; i < n; i++) {
            wire.write(key == null ? payload[i] : payload[i] ^ key[i % 4]);
            plain.write(payload[i]);
        }
        return new Frame(wire.toByteArray(), plain.toByteArray());
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /**
     * Frames of every length class up to {@code maxLength}, of every opcode, FIN and RSV
     * combination, masked and a few unmasked.
     */
    private static List<Frame> frames(Random r, int count, int maxLength) {
        int[] lengths = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 125, 126, 127, 1_042, 65_535, 65_536, 70_001};
        int[] firstBytes = {0x82, 0x02, 0x00, 0x80, 0x81, 0x89, 0x8A, 0x88, 0xC2, 0xF2};
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = Math.min(maxLength, r.nextInt(4) == 0 ? lengths[r.nextInt(lengths.length)] : r.nextInt(2_000));
            byte[] key = r.nextInt(10) == 0 ? null : random(r, 4);
            out.add(frame(firstBytes[r.nextInt(firstBytes.length)], random(r, length), key));
        }
        return out;
    }

    private static byte[] concat(List<Frame> frames, boolean wire) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            byte[] b = wire ? f.wire() : f.unmasked();
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /** Feeds {@code wire} in reads of random size, in the kinds of buffers a container may use. */
    private static byte[] transformInReads(byte[] wire, Random r, int maxRead) {
        ClientFrameUnmasker unmasker = new ClientFrameUnmasker();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < wire.length) {
            int n = Math.min(wire.length - i, 1 + r.nextInt(maxRead));
            ByteBuffer in;
            switch (r.nextInt(4)) {
                case 0 -> { // a slice with an array offset and room around it
                    byte[] big = new byte[n + 20];
                    System.arraycopy(wire, i, big, 7, n);
                    in = ByteBuffer.wrap(big, 7, n).slice();
                }
                case 1 -> in = ByteBuffer.allocateDirect(n).put(wire, i, n).flip();
                case 2 -> in = ByteBuffer.wrap(wire.clone(), i, n).asReadOnlyBuffer();
                default -> in = ByteBuffer.wrap(wire.clone(), i, n);
            }
            ByteBuffer result = unmasker.transform(in);
            assertEquals(0, in.remaining(), "every byte of a read is consumed");
            byte[] b = new byte[result.remaining()];
            result.get(b);
            out.write(b, 0, b.length);
            i += n;
        }
        return out.toByteArray();
    }

    @Test
    void unmasksEveryFrameHoweverTheStreamIsCut() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            int maxRead = seed % 4 == 0 ? 3 : seed % 4 == 1 ? 20 : seed % 4 == 2 ? 1_500 : 40_000;
            // Tiny reads of long frames only take time: those get frames up to just past 65,536 bytes.
            List<Frame> frames = frames(r, 60, maxRead < 100 ? 300 : 70_001);
            byte[] wire = concat(frames, true);
            byte[] expected = concat(frames, false);
            assertArrayEquals(expected, transformInReads(wire, r, maxRead), "seed " + seed);
        }
    }

    @Test
    void oneByteReadsSplitEveryHeaderAndKey() {
        Random r = new Random(99);
        List<Frame> frames = frames(r, 30, 300);
        frames.add(frame(0x82, random(r, 65_536), random(r, 4))); // the 8-byte length, split byte by byte
        byte[] wire = concat(frames, true);
        assertArrayEquals(concat(frames, false), transformInReads(wire, r, 1));
    }

    @Test
    void aWholeReadIsTransformedInPlace() {
        byte[] payload = new byte[1_042];
        new Random(5).nextBytes(payload);
        Frame f = frame(0x82, payload, new byte[] {1, 2, 3, 4});
        byte[] array = f.wire().clone();
        ByteBuffer result = new ClientFrameUnmasker().transform(ByteBuffer.wrap(array));
        assertSame(array, result.array(), "no copy for a read that starts with a header");
        byte[] b = new byte[result.remaining()];
        result.get(b);
        assertArrayEquals(f.unmasked(), b);
    }

    @Test
    void anUnmaskedFramePassesUnchanged() {
        Frame f = frame(0x82, new byte[] {9, 8, 7}, null);
        ByteBuffer result = new ClientFrameUnmasker().transform(ByteBuffer.wrap(f.wire().clone()));
        byte[] b = new byte[result.remaining()];
        result.get(b);
        assertArrayEquals(f.wire(), b);
    }
}

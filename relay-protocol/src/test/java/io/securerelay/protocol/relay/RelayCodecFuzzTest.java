package io.securerelay.protocol.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzes the relay frame codec, both directions.
 *
 * <p>Contract checked: for any bytes, {@link RelayCodec#decodeClientFrame} and
 * {@link RelayCodec#decodeServerFrame} either return a frame or throw
 * {@link MalformedFrameException}; any other throwable (an unchecked exception, an error, a hang)
 * is a finding. A decoded frame re-encodes to exactly the bytes it came from, and decoding that
 * encoding gives an equal frame. The input is also decoded from inside a larger buffer (non-zero
 * position and offset), which must not change the result.
 *
 * <p>Seed corpus: {@code src/test/resources/io/securerelay/protocol/relay/RelayCodecFuzzTestInputs/frames/}.
 */
class RelayCodecFuzzTest {

    @FuzzTest
    void frames(byte[] data) {
        roundTrip(data, ByteBuffer.wrap(data), RelayCodec::decodeClientFrame, "client");
        roundTrip(data, embedded(data), RelayCodec::decodeClientFrame, "client");
        roundTrip(data, ByteBuffer.wrap(data), RelayCodec::decodeServerFrame, "server");
        roundTrip(data, embedded(data), RelayCodec::decodeServerFrame, "server");
    }

    /** One direction's decoder. */
    private interface Decoder {
        RelayFrame decode(ByteBuffer frame) throws MalformedFrameException;
    }

    private static void roundTrip(byte[] data, ByteBuffer in, Decoder decoder, String direction) {
        RelayFrame frame;
        try {
            frame = decoder.decode(in);
        } catch (MalformedFrameException expected) {
            return;
        }
        assertEquals(data.length, in.remaining(), "decoding moved the caller's buffer");
        byte[] encoded = bytes(RelayCodec.encode(frame));
        assertArrayEquals(data, encoded, "re-encoding a decoded " + direction + " frame changed its bytes");
        try {
            assertEquals(frame, decoder.decode(ByteBuffer.wrap(encoded)), "round trip");
        } catch (MalformedFrameException e) {
            throw new AssertionError("the codec refuses its own encoding of " + frame, e);
        }
    }

    /** The same bytes as a window (position 3) into a larger array with other bytes around them. */
    private static ByteBuffer embedded(byte[] data) {
        byte[] big = new byte[data.length + 7];
        java.util.Arrays.fill(big, (byte) 0x5A);
        System.arraycopy(data, 0, big, 5, data.length);
        ByteBuffer b = ByteBuffer.wrap(big, 2, data.length + 3).slice();
        b.position(3);
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}

package io.securerelay.relay.cluster;

import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;


/** The codec of the messages between relay instances. */
class ClusterMessageTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SessionId a = SessionId.random(RANDOM);
    private final SessionId b = SessionId.random(RANDOM);

    @Test
    void forwardKeepsThePayloadOpaqueAndTheBufferUntouched() {
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff});
        byte[] bytes = ClusterMessage.encode(new ClusterMessage.Forward(a, b, payload));
        assertEquals(0, payload.position(), "the caller's buffer is not consumed");
        assertEquals(1 + 32 + 4, bytes.length);
        ClusterMessage.Forward f = assertInstanceOf(ClusterMessage.Forward.class, ClusterMessage.decode(bytes));
        assertEquals(a, f.from());
        assertEquals(b, f.to());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, bytesOf(f.payload()));
        ClusterMessage.Forward empty = assertInstanceOf(ClusterMessage.Forward.class,
                ClusterMessage.decode(ClusterMessage.encode(new ClusterMessage.Forward(a, b, ByteBuffer.allocate(0)))));
        assertEquals(0, empty.payload().remaining());
    }

    @Test
    void undeliverableAndTakenOverRoundTrip() {
        assertEquals(new ClusterMessage.Undeliverable(ErrorCode.DELIVERY_FAILED, a, b), ClusterMessage.decode(
                ClusterMessage.encode(new ClusterMessage.Undeliverable(ErrorCode.DELIVERY_FAILED, a, b))));
        assertEquals(new ClusterMessage.TakenOver(a),
                ClusterMessage.decode(ClusterMessage.encode(new ClusterMessage.TakenOver(a))));
    }

    @Test
    void malformedMessagesAreRefused() {
        byte[] undeliverable = ClusterMessage.encode(new ClusterMessage.Undeliverable(ErrorCode.PEER_NOT_CONNECTED, a, b));
        byte[] takenOver = ClusterMessage.encode(new ClusterMessage.TakenOver(a));
        byte[] unknownCode = undeliverable.clone();
        unknownCode[1] = 0x7f;
        for (byte[] bad : new byte[][] {
            null, new byte[0], new byte[] {0x09}, new byte[] {ClusterMessage.FORWARD, 1, 2},
            Arrays.copyOf(undeliverable, undeliverable.length - 1), Arrays.copyOf(undeliverable, undeliverable.length + 1),
            Arrays.copyOf(takenOver, takenOver.length + 1), Arrays.copyOf(takenOver, 5), unknownCode}) {
            assertThrows(IllegalArgumentException.class, () -> ClusterMessage.decode(bad));
        }
    }

    private static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}

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

    @Test
    void aBatchKeepsItsOriginAndItsMessagesInOrder() {
        InstanceId origin = InstanceId.random(RANDOM);
        byte[] one = ClusterMessage.encode(new ClusterMessage.Forward(a, b, ByteBuffer.wrap(new byte[] {7})));
        byte[] two = ClusterMessage.encode(new ClusterMessage.TakenOver(a));
        ClusterMessage.Batch batch = ClusterMessage.decodeBatch(ClusterMessage.encodeBatch(origin, java.util.List.of(one, two)));
        assertEquals(origin, batch.origin());
        assertEquals(2, batch.messages().size());
        ClusterMessage.Forward f = assertInstanceOf(ClusterMessage.Forward.class, batch.messages().get(0));
        assertArrayEquals(new byte[] {7}, bytesOf(f.payload()));
        assertEquals(new ClusterMessage.TakenOver(a), batch.messages().get(1));
    }

    @Test
    void malformedBatchesAreRefusedWithTheirReason() {
        InstanceId origin = InstanceId.random(RANDOM);
        byte[] good = ClusterMessage.encodeBatch(origin, java.util.List.of(ClusterMessage.encode(new ClusterMessage.TakenOver(a))));
        byte[] version = good.clone();
        version[0] = 2;
        assertEquals("unknown batch version 2", assertThrows(IllegalArgumentException.class,
                () -> ClusterMessage.decodeBatch(version)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterMessage.decodeBatch(Arrays.copyOf(good, good.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> ClusterMessage.decodeBatch(Arrays.copyOf(good, good.length + 1)));
        byte[] empty = Arrays.copyOf(good, ClusterMessage.BATCH_HEADER);
        empty[ClusterMessage.BATCH_HEADER - 1] = 0;
        assertEquals("empty batch", assertThrows(IllegalArgumentException.class,
                () -> ClusterMessage.decodeBatch(empty)).getMessage());
        byte[] huge = good.clone();
        huge[ClusterMessage.BATCH_HEADER] = (byte) 0x80; // a length of 2^31 and more
        assertThrows(IllegalArgumentException.class, () -> ClusterMessage.decodeBatch(huge));
        assertThrows(IllegalArgumentException.class, () -> ClusterMessage.encodeBatch(origin, java.util.List.of()));
    }
}

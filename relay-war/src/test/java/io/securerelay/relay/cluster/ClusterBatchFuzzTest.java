package io.securerelay.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the batch envelope of what instances publish to each other's Redis channel (anything that
 * can publish there, a holder of the relays' Redis password included, reaches this parser).
 *
 * <p>Contract checked: for any bytes, {@link ClusterMessage#decodeBatch} returns a batch or throws
 * {@link IllegalArgumentException}, its documented exception; anything else is a finding. A
 * decoded batch re-encodes ({@link ClusterMessage#encodeBatch} of each message's encoding) to
 * exactly the bytes it came from, and decoding those gives an equal batch.
 */
class ClusterBatchFuzzTest {

    @FuzzTest
    void decodeBatch(byte[] bytes) {
        ClusterMessage.Batch b;
        try {
            b = ClusterMessage.decodeBatch(bytes);
        } catch (IllegalArgumentException expected) {
            return;
        }
        List<byte[]> messages = new ArrayList<>();
        for (ClusterMessage m : b.messages()) {
            messages.add(ClusterMessage.encode(m));
        }
        byte[] encoded = ClusterMessage.encodeBatch(b.origin(), messages);
        assertArrayEquals(bytes, encoded, "re-encoding a decoded batch changed its bytes");
        assertEquals(b.messages().size(), ClusterMessage.decodeBatch(encoded).messages().size(), "round trip");
        assertEquals(b.origin(), ClusterMessage.decodeBatch(encoded).origin(), "round trip of the origin");
    }
}

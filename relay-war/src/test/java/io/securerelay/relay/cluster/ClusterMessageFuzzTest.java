package io.securerelay.relay.cluster;

import com.code_intelligence.jazzer.junit.FuzzTest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;


/**
 * Fuzzes the codec of the messages relay instances send each other through Redis (what one
 * instance reads from another, or from anything else that could publish on its channel).
 *
 * <p>Contract checked: for any bytes, {@link ClusterMessage#decode} returns a message or throws
 * {@link IllegalArgumentException}, its documented exception; anything else is a finding. A
 * decoded message encodes to exactly the bytes it came from, and decoding those gives an equal
 * message. (The batch around messages: {@link ClusterBatchFuzzTest}.)
 */
class ClusterMessageFuzzTest {

    @FuzzTest
    void decode(byte[] bytes) {
        ClusterMessage m;
        try {
            m = ClusterMessage.decode(bytes);
        } catch (IllegalArgumentException expected) {
            return;
        }
        byte[] encoded = ClusterMessage.encode(m);
        assertArrayEquals(bytes, encoded, "re-encoding a decoded cluster message changed its bytes");
        assertEquals(m, ClusterMessage.decode(encoded), "round trip");
    }
}

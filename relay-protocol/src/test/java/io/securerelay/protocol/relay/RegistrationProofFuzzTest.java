package io.securerelay.protocol.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.fuzz.Mutations;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzzes the relay's check of a REGISTER frame against the connection's challenge: what the relay
 * does with the first frame of every connection, before it trusts anything about it.
 *
 * <p>Contract checked: for any frame bytes (raw, or a valid REGISTER made with a fixed routing key
 * and edited by the fuzzer), decoding throws {@link MalformedFrameException} or gives a frame, and
 * {@link RegistrationProof#verify} of a REGISTER throws {@link InvalidRegistrationException} or
 * returns a session ID. Any other throwable is a finding. A proof that verifies must be for the
 * fixed key (nobody else's key can be made to verify without its private key), and the ID returned
 * is that key's session ID. The unedited valid frame verifies.
 */
class RegistrationProofFuzzTest {
    private static final byte[] NONCE = new byte[RegistrationProof.NONCE_LENGTH];
    private static final RoutingKey KEY;
    private static final byte[] VALID;

    static {
        for (int i = 0; i < NONCE.length; i++) {
            NONCE[i] = (byte) (0xA0 + i);
        }
        byte[] scalar = new byte[32];
        scalar[31] = 0x2A;
        scalar[0] = 0x11;
        KEY = RoutingKey.fromPrivateScalar(scalar);
        ByteBuffer b = RelayCodec.encode(KEY.register(NONCE));
        VALID = new byte[b.remaining()];
        b.get(VALID);
    }

    @FuzzTest
    void register(FuzzedDataProvider data) {
        byte[] frame = Mutations.of(data, VALID);
        RelayFrame.ClientFrame decoded;
        try {
            decoded = RelayCodec.decodeClientFrame(ByteBuffer.wrap(frame));
        } catch (MalformedFrameException expected) {
            return;
        }
        if (!(decoded instanceof RelayFrame.Register)) {
            return;
        }
        RelayFrame.Register register = (RelayFrame.Register) decoded;
        SessionId id;
        try {
            id = RegistrationProof.verify(register, NONCE);
        } catch (InvalidRegistrationException refused) {
            if (Arrays.equals(frame, VALID)) {
                throw new AssertionError("the valid REGISTER was refused", refused);
            }
            return;
        }
        assertArrayEquals(KEY.publicKey(), register.publicKey(), "a proof verified for a key nobody signed with");
        assertEquals(KEY.sessionId(), id, "verify returned another session ID than the key's");
    }
}

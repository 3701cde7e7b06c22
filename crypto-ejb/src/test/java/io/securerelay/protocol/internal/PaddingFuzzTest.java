package io.securerelay.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.protocol.MalformedMessageException;
import io.securerelay.protocol.MessageKind;

/**
 * Fuzzes the removal of the Padmé padding from a decrypted inner plaintext.
 *
 * <p>Contract checked: for any bytes, {@link Padding#decode} returns the kind and body or throws
 * {@link MalformedMessageException}; anything else is a finding. The padding is canonical: a
 * decoded plaintext re-encodes to exactly the same bytes. And in the other direction, any body
 * (the input itself, with a kind picked from its length) padded by {@link Padding#encode} has a
 * bucket length and decodes to the same kind and body.
 */
class PaddingFuzzTest {

    @FuzzTest
    void decode(byte[] inner) {
        try {
            Padding.Inner decoded = Padding.decode(inner);
            assertArrayEquals(inner, Padding.encode(decoded.kind(), decoded.body()),
                    "decoded padding does not re-encode to the same bytes");
        } catch (MalformedMessageException expected) {
            // documented
        }
        MessageKind kind = MessageKind.values()[inner.length % MessageKind.values().length];
        byte[] padded = Padding.encode(kind, inner);
        assertEquals(Padding.bucket(Padding.INNER_HEADER + inner.length), padded.length);
        try {
            Padding.Inner back = Padding.decode(padded);
            assertEquals(kind, back.kind());
            assertArrayEquals(inner, back.body());
        } catch (MalformedMessageException e) {
            throw new AssertionError("Padding refuses its own encoding", e);
        }
    }
}

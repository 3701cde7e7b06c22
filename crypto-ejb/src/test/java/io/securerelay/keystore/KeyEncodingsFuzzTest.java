package io.securerelay.keystore;

import io.securerelay.identity.IdentityPublicKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.keystore.internal.JsonFiles;
import io.securerelay.keystore.internal.Pem;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Fuzzes the decoders under the key files and the handshake's identity keys; the first input byte
 * picks which one gets the rest:
 * <ol start="0">
 * <li>{@link IdentityPublicKey#fromPoint} (a 65-byte point from INIT or RESPONSE): returns a key or
 * throws {@link InvalidPublicKeyException}; a key's {@code point()} is the input, and decoding it
 * again gives an equal key.</li>
 * <li>{@link IdentityPublicKey#fromSpki} (DER from a PEM "PUBLIC KEY"): returns a key or throws
 * {@link InvalidPublicKeyException}; DER is strict, so a key's {@code spki()} is the input.</li>
 * <li>{@link Pem#decode}: returns one PEM object or throws {@link IOException}; its type and
 * content encode and decode again unchanged.</li>
 * <li>{@link JsonFiles#parseObject} and {@link JsonFiles#requireString}: return an object (or a
 * string member) or throw {@link IOException}; the object written by {@link JsonFiles#toBytes}
 * parses to an equal object.</li>
 * </ol>
 * Any other throwable (an unchecked exception, an error, a hang) is a finding.
 */
class KeyEncodingsFuzzTest {

    @FuzzTest
    void decode(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        byte[] in = Arrays.copyOfRange(data, 1, data.length);
        switch ((data[0] & 0xff) % 4) {
            case 0:
                point(in);
                break;
            case 1:
                spki(in);
                break;
            case 2:
                pem(new String(in, StandardCharsets.UTF_8));
                break;
            default:
                json(in);
                break;
        }
    }

    private static void point(byte[] in) {
        IdentityPublicKey key;
        try {
            key = IdentityPublicKey.fromPoint(in);
        } catch (InvalidPublicKeyException expected) {
            return;
        }
        assertArrayEquals(in, key.point());
        try {
            assertEquals(key, IdentityPublicKey.fromPoint(key.point()));
            assertEquals(key, IdentityPublicKey.fromSpki(key.spki()));
        } catch (InvalidPublicKeyException e) {
            throw new AssertionError("a decoded key does not decode again", e);
        }
    }

    private static void spki(byte[] in) {
        IdentityPublicKey key;
        try {
            key = IdentityPublicKey.fromSpki(in);
        } catch (InvalidPublicKeyException expected) {
            return;
        }
        assertArrayEquals(in, key.spki(), "a non-canonical SPKI was accepted");
        try {
            assertSame(key, IdentityPublicKey.fromPoint(key.point()), "the recent-keys cache gave another object");
        } catch (InvalidPublicKeyException e) {
            throw new AssertionError("a decoded key's point does not decode again", e);
        }
    }

    private static void pem(String text) throws IOException {
        PemObject o;
        try {
            o = Pem.decode(text);
        } catch (IOException expected) {
            return;
        }
        PemObject again = Pem.decode(Pem.encode(o.getType(), o.getContent()));
        assertEquals(o.getType(), again.getType());
        assertArrayEquals(o.getContent(), again.getContent());
    }

    private static void json(byte[] in) throws IOException {
        JsonObject o;
        try {
            o = JsonFiles.parseObject(in);
        } catch (IOException expected) {
            return;
        }
        assertEquals(o, JsonFiles.parseObject(JsonFiles.toBytes(o)));
        try {
            JsonFiles.requireString(o, "public_key");
        } catch (IOException expected) {
            // documented: missing or not a string
        }
    }
}

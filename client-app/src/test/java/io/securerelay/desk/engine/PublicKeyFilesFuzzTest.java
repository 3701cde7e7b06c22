package io.securerelay.desk.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.desk.DeskException;
import io.securerelay.identity.IdentityPublicKey;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the reader of a customer's {@code *_public_identity_key.json}, the body an agent or the
 * back office posts to register a customer (anyone who can reach the API chooses it).
 *
 * <p>Contract checked: any text gives a key or a {@link DeskException} of kind BAD_REQUEST with a
 * sentence; anything else is a finding. A key that is read parses again from a file written with
 * its own fingerprint, to the same key.
 */
class PublicKeyFilesFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        IdentityPublicKey key;
        try {
            key = PublicKeyFiles.parse(json);
        } catch (DeskException e) {
            assertEquals(DeskException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
            return;
        }
        String again = "{\"role\":\"customer\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\n"
                + java.util.Base64.getEncoder().encodeToString(key.spki()) + "\\n-----END PUBLIC KEY-----\\n\","
                + "\"fingerprint\":\"" + key.fingerprint() + "\"}";
        assertEquals(key, PublicKeyFiles.parse(again));
    }
}

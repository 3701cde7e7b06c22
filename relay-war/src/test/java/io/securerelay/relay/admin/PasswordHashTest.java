package io.securerelay.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHashTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aHashMatchesItsPasswordOnlyAndSaysHowItWasMade() {
        PasswordHash h = PasswordHash.create("correct horse".toCharArray(), RANDOM);
        String encoded = h.encoded();
        assertTrue(encoded.matches("scrypt\\$32768\\$8\\$1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}"), encoded);
        PasswordHash parsed = PasswordHash.parse(encoded);
        assertTrue(parsed.matches("correct horse".toCharArray()));
        assertFalse(parsed.matches("correct horsf".toCharArray()));
        assertFalse(parsed.matches(new char[0]));
        assertFalse(parsed.toString().contains(encoded.substring(encoded.lastIndexOf('$') + 1)), "no hash in toString");
    }

    @Test
    void theSameTwoPasswordsGiveDifferentHashes() {
        assertNotEquals(PasswordHash.create("pw".toCharArray(), RANDOM).encoded(),
                PasswordHash.create("pw".toCharArray(), RANDOM).encoded(), "salted");
    }

    /** The hash of "relay-it-admin-password" that arquillian.xml gives the relay in the integration tests. */
    @Test
    void theIntegrationTestsHashIsTheirPasswords() {
        PasswordHash it = PasswordHash.parse("scrypt$32768$8$1$4vQaIuZyUpmd3YobBV89yQ$xAh4ecmkWIE0rHOZmfDxLENtmKG1NtrVhST7WS9b81M");
        assertTrue(it.matches("relay-it-admin-password".toCharArray()));
    }

    @Test
    void malformedOrTooCostlyHashesAreRefusedWithoutEchoingThem() {
        String good = PasswordHash.create("x".toCharArray(), RANDOM).encoded();
        String[] f = good.split("\\$");
        String[] bad = {
            "", "2792149a6836e37b1fa98b4863984f7cd3f04aaeb9af72e94567eeb04214e4a7", // a SHA-256 in hex
            good.replace("scrypt$", "argon2$"), good + "$x",
            String.join("$", f[0], "32767", f[2], f[3], f[4], f[5]), // N not a power of two
            String.join("$", f[0], "1048576", "8", f[3], f[4], f[5]), // 1 GiB
            String.join("$", f[0], f[1], "0", f[3], f[4], f[5]),
            String.join("$", f[0], f[1], f[2], "99", f[4], f[5]),
            String.join("$", f[0], f[1], f[2], f[3], "c2FsdA", f[5]), // 4-byte salt
            String.join("$", f[0], f[1], f[2], f[3], f[4], f[5].substring(4)), // short hash
            String.join("$", f[0], f[1], f[2], f[3], f[4] + "!", f[5]), // not base64
        };
        for (String b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(b), b);
            assertFalse(!b.isEmpty() && e.getMessage().contains(b), e.getMessage());
        }
        assertEquals(good, PasswordHash.parse(" " + good + "\n").encoded(), "surrounding blanks are ignored");
    }
}

package io.securerelay.desk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsCreatedOwnerOnlyWith256RandomBitsThenReadBack() throws IOException {
        Path file = dir.resolve("desk-api.token");
        ApiToken.Loaded made = ApiToken.load(null, file, new SecureRandom());
        assertTrue(made.created());
        assertEquals(43, made.secretIfCreated().length(), "256 bits in unpadded base64url");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(made.token().matches(made.secretIfCreated()));
        assertFalse(made.token().toString().contains(made.secretIfCreated()));
        assertFalse(made.toString().contains(made.secretIfCreated()));

        ApiToken.Loaded again = ApiToken.load("", file, new SecureRandom());
        assertFalse(again.created());
        assertEquals(null, again.secretIfCreated());
        assertTrue(again.token().matches(made.secretIfCreated()));
        assertFalse(again.token().matches(made.secretIfCreated() + "x"));
        assertFalse(again.token().matches(null));
    }

    @Test
    void theEnvironmentWinsAndWeakTokensAreRefused() throws IOException {
        Path file = dir.resolve("never-made.token");
        ApiToken.Loaded env = ApiToken.load("  from-the-environment-0123456789  ", file, new SecureRandom());
        assertTrue(env.token().matches("from-the-environment-0123456789"));
        assertFalse(Files.exists(file));
        assertThrows(IllegalArgumentException.class, () -> ApiToken.of("short"));
        assertThrows(IllegalArgumentException.class, () -> ApiToken.of("has a space in it 0123456789"));
    }

    @Test
    void aTokenFileOthersCanReadIsRefused() throws IOException {
        Path file = dir.resolve("open.token");
        Files.writeString(file, "an-open-token-0123456789abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> ApiToken.load(null, file, new SecureRandom()));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(e.getMessage().contains("an-open-token"), "the token is never in a message");
    }
}

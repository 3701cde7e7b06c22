package io.securerelay.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.P256;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage secret beside the identity key: one key, one purpose (issue 18). */
class StorageSecretTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final ScryptParams FAST = new ScryptParams(1 << 10, 8, 1);

    @TempDir
    Path dir;

    private LocalIdentity open(PasswordPrompt prompt) throws KeyFileException {
        return IdentityKeyFiles.loadOrCreateLocal(dir, "bank", prompt, FAST, RANDOM);
    }

    private Path secretFile() {
        return dir.resolve("bank_storage_secret.json");
    }

    @Test
    void aNewIdentityGetsItsOwnStorageSecretOnceAndThePasswordIsAskedOnce() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        PasswordPrompt counting = (file, creating) -> {
            asked.incrementAndGet();
            return "correct horse".toCharArray();
        };
        LocalIdentity created = open(counting);
        assertEquals(1, asked.get(), "one prompt for the key and the secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile())));
        String json = Files.readString(secretFile());
        assertTrue(json.contains("\"protection\":\"scrypt-aes-256-gcm\""), json);
        assertTrue(json.contains("\"identity_predates_it\":false"), json);
        assertTrue(created.legacyKeyToReadOldData("outbox/bank").isEmpty(), "nothing can be sealed under the old key");
        byte[] before = Files.readAllBytes(secretFile());

        asked.set(0);
        LocalIdentity loaded = open(counting);
        assertEquals(1, asked.get());
        assertEquals(created.identity().publicKey(), loaded.identity().publicKey());
        assertTrue(loaded.storage().deriveKey("outbox/bank").equalsConstantTime(
                created.storage().deriveKey("outbox/bank").toByteArray()), "the same secret after a restart");
        assertArrayEquals(before, Files.readAllBytes(secretFile()), "never rewritten");
        assertFalse(loaded.storage().deriveKey("outbox/bank").equalsConstantTime(
                loaded.storage().deriveKey("outbox/customer").toByteArray()), "one key per purpose");
        assertFalse(loaded.storage().toString().contains(HexFormat.of().formatHex(loaded.storage().bytes())));
    }

    @Test
    void withoutAPasswordTheSecretIsUnprotectedLikeTheKey() throws Exception {
        open(PasswordPrompt.NONE);
        assertTrue(Files.readString(secretFile()).contains("\"protection\":\"none\""));
        open(PasswordPrompt.NONE);
    }

    /**
     * An identity key file from before the storage secret: the secret is created beside it, says so,
     * and the old derivation (from the identity's private scalar) is offered to read old data; its
     * value is the one the previous code gave (computed with IdentityKeyPair.deriveLocalKey of main).
     */
    @Test
    void anExistingInstallationGetsASecretAndCanStillReadWhatTheOldDerivationSealed() throws Exception {
        IdentityKeyPair old = IdentityKeyPair.fromPrivateKey(P256.privateKey(
                new BigInteger("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", 16)));
        IdentityKeyFiles.write(dir.resolve(IdentityKeyFiles.fileName("bank")), "bank", old, null, FAST, RANDOM);
        LocalIdentity upgraded = open(PasswordPrompt.NONE);
        assertTrue(Files.readString(secretFile()).contains("\"identity_predates_it\":true"));
        byte[] legacy = upgraded.legacyKeyToReadOldData("outbox/bank").orElseThrow().toByteArray();
        assertEquals("c2013e267b95a68e908116f69b9957c877068f6466c5a6af35f07164fd3ccca0", HexFormat.of().formatHex(legacy));
        assertNotEquals(HexFormat.of().formatHex(legacy),
                HexFormat.of().formatHex(upgraded.storage().deriveKey("outbox/bank").toByteArray()));
        assertTrue(open(PasswordPrompt.NONE).legacyKeyToReadOldData("outbox/bank").isPresent(), "still after a restart");
    }

    @Test
    void aCorruptSecretFileIsNeverOverwritten() throws Exception {
        open(PasswordPrompt.NONE);
        Files.writeString(secretFile(), "{\"version\": 1, ");
        KeyFileException e = assertThrows(KeyFileException.class, () -> open(PasswordPrompt.NONE));
        assertTrue(e.getMessage().contains("corrupt storage secret file") && e.getMessage().contains(secretFile().toString()),
                e.getMessage());
        assertEquals("{\"version\": 1, ", Files.readString(secretFile()));
    }

    @Test
    void aSecretFileOfAnUnknownVersionOrAnotherIdentityOrPasswordIsRefused() throws Exception {
        open(PasswordPrompt.fixed("one".toCharArray()));
        String json = Files.readString(secretFile());
        Files.writeString(secretFile(), json.replace("\"version\":1", "\"version\":2"));
        assertTrue(assertThrows(KeyFileException.class, () -> open(PasswordPrompt.fixed("one".toCharArray())))
                .getMessage().contains("has version 2"));
        Files.writeString(secretFile(), json);

        // another identity's secret file beside this key
        Path other = Files.createDirectory(dir.resolve("other"));
        IdentityKeyFiles.loadOrCreateLocal(other, "bank", PasswordPrompt.fixed("one".toCharArray()), FAST, RANDOM);
        byte[] theirs = Files.readAllBytes(other.resolve("bank_storage_secret.json"));
        Files.write(secretFile(), theirs);
        assertTrue(assertThrows(KeyFileException.class, () -> open(PasswordPrompt.fixed("one".toCharArray())))
                .getMessage().contains("belongs to another identity key"));
        assertArrayEquals(theirs, Files.readAllBytes(secretFile()));

        // a flipped byte of the sealed secret (the key file's password is right): refused, not regenerated
        String flipped = json.replaceFirst("\"secret\":\"(.)", "\"secret\":\"" + (json.contains("\"secret\":\"A") ? "B" : "A"));
        assertNotEquals(json, flipped);
        Files.writeString(secretFile(), flipped);
        KeyFileException e = assertThrows(KeyFileException.class, () -> open(PasswordPrompt.fixed("one".toCharArray())));
        assertTrue(e.getMessage().contains("does not open with the identity key's password"), e.getMessage());
        assertEquals(flipped, Files.readString(secretFile()));
        // and another password for the key file is the key file's wrong password, before the secret is read
        Files.writeString(secretFile(), json);
        assertThrows(WrongPasswordException.class, () -> open(PasswordPrompt.fixed("two".toCharArray())));
    }

    @Test
    void aSecretFileReadableByOthersIsRefused() throws Exception {
        open(PasswordPrompt.NONE);
        Assumptions.assumeTrue(Files.getFileStore(secretFile()).supportsFileAttributeView("posix"));
        Files.setPosixFilePermissions(secretFile(), PosixFilePermissions.fromString("rw-r--r--"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> open(PasswordPrompt.NONE));
        assertTrue(e.getMessage().contains("chmod 600 " + secretFile().toAbsolutePath()), e.getMessage());
    }
}

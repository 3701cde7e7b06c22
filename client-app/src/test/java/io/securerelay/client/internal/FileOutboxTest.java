package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.SecretBytes;
import io.securerelay.keystore.StorageSecret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutboxTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final StorageSecret storage = StorageSecret.random(RANDOM);

    @TempDir
    Path dir;

    private FileOutbox open() throws Exception {
        return FileOutbox.open(dir, "bank", storage.deriveKey("outbox/bank"), RANDOM);
    }

    @Test
    void unacknowledgedMessagesAndCountersSurviveAReopen() throws Exception {
        FileOutbox s = open();
        s.enqueue("first", 1L);
        s.enqueue("second", 2L);
        s.enqueue("third", 3L);
        s.acknowledged(1);
        s.delivered(7, 0, "seven");

        Outbox again = open();
        assertEquals(List.of(2L, 3L), List.copyOf(again.pending().keySet()));
        assertEquals("third", again.pending().get(3L).text());
        assertEquals(3L, again.pending().get(3L).sentAtMillis());
        assertEquals(4, again.nextOut());
        assertEquals(1, again.ackedOut());
        assertEquals(7, again.lastIn());
    }

    @Test
    void theOutboxHoldsNoPlaintextAndOnlyOwnerOnlyFiles() throws Exception {
        FileOutbox s = open();
        s.enqueue("the secret transfer code is 4711", 0L);
        try (var files = Files.list(s.directory())) {
            for (Path f : files.toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains("4711"), f + " holds plaintext");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
    }

    @Test
    void acknowledgedMessagesAreDeleted() throws Exception {
        FileOutbox s = open();
        s.enqueue("a", 0L);
        s.enqueue("b", 0L);
        s.acknowledged(2);
        assertTrue(s.pending().isEmpty());
        try (var files = Files.list(s.directory())) {
            assertEquals(List.of("counters"), files.map(f -> f.getFileName().toString()).toList());
        }
    }

    @Test
    void aTamperedOutboxFileIsReportedByNameAndLeftAsItIs() throws Exception {
        FileOutbox s = open();
        s.enqueue("hello", 0L);
        Path f = s.directory().resolve("out-1.sealed");
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 1] ^= 1;
        Files.write(f, bytes);

        Outbox.StoreException e = assertThrows(Outbox.StoreException.class, this::open);
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(f), "the file must be left untouched");
    }

    @Test
    void anotherStorageSecretCannotReadTheOutbox() throws Exception {
        open().enqueue("hello", 0L);
        StorageSecret other = StorageSecret.random(RANDOM);
        assertThrows(Outbox.StoreException.class,
                () -> FileOutbox.open(dir, "bank", other.deriveKey("outbox/bank"), RANDOM));
    }

    /**
     * An outbox written by a version before the storage secret (its key derived from the identity
     * key) is read with that old key once and sealed again under the storage key: afterwards it opens
     * without the old key, and the old key no longer opens it.
     */
    @Test
    void anOutboxSealedUnderTheOldDerivationIsReadOnceAndSealedAgain() throws Exception {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        Outbox before = FileOutbox.open(dir, "bank", SecretBytes.copyOf(k), RANDOM);
        before.enqueue("sealed by 0.1", 7L);
        before.enqueue("and this", 8L);
        Path f1 = dir.resolve("bank_conversation/out-1.sealed");
        byte[] oldBytes = Files.readAllBytes(f1);

        assertThrows(Outbox.StoreException.class, this::open, "the new key alone does not read it");
        Outbox migrated = FileOutbox.open(dir, "bank", storage.deriveKey("outbox/bank"),
                SecretBytes.copyOf(k), RANDOM);
        assertEquals(List.of("sealed by 0.1", "and this"),
                migrated.pending().values().stream().map(Outbox.Pending::text).toList());
        assertEquals(7L, migrated.pending().get(1L).sentAtMillis());
        assertFalse(Arrays.equals(oldBytes, Files.readAllBytes(f1)), "sealed again");

        Outbox after = open();
        assertEquals(2, after.pending().size(), "opens under the storage key alone now");
        assertThrows(Outbox.StoreException.class, () -> FileOutbox.open(dir, "bank", SecretBytes.copyOf(k), RANDOM),
                "the old key no longer opens it");
    }

    @Test
    void corruptCountersAreReportedNotReset() throws Exception {
        open().enqueue("hello", 0L);
        Path counters = dir.resolve("bank_conversation/counters");
        Files.writeString(counters, "nextOut=banana\n");
        Outbox.StoreException e = assertThrows(Outbox.StoreException.class, this::open);
        assertTrue(e.getMessage().contains(counters.toString()), e.getMessage());
        assertEquals("nextOut=banana\n", Files.readString(counters));
    }
}

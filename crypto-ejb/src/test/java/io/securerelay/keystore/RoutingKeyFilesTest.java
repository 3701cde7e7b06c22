package io.securerelay.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.identity.KeyFileException;
import io.securerelay.protocol.relay.RoutingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing key kept across runs: the same session ID every run, the file never overwritten. */
class RoutingKeyFilesTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void aSecondRunGetsTheSameSessionIdAndTheFileIsOwnerOnly() throws Exception {
        RoutingKey first = RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM);
        RoutingKey again = RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM);
        assertEquals(first.sessionId(), again.sessionId());
        assertArrayEquals(first.publicKey(), again.publicKey());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bank_routing_key.json"))));
        assertNotEquals(first.sessionId(), RoutingKeyFiles.loadOrCreate(dir, "customer", RANDOM).sessionId(),
                "each role has its own key");
    }

    @Test
    void theStoredScalarIsTheKeysOwn() throws Exception {
        RoutingKey k = RoutingKey.generate(RANDOM);
        assertEquals(k.sessionId(), RoutingKey.fromPrivateScalar(k.privateScalar()).sessionId());
        assertEquals(32, k.privateScalar().length);
    }

    @Test
    void aCorruptFileIsReportedAndLeftAsItIs() throws Exception {
        Path f = dir.resolve("bank_routing_key.json");
        Files.writeString(f, "{\"version\":1,\"role\":\"bank\",\"private_scalar\":\"AAAA\"}");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        byte[] before = Files.readAllBytes(f);
        KeyFileException e = assertThrows(KeyFileException.class, () -> RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM));
        assertTrue(e.getMessage().contains("corrupt routing key file"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "never overwritten");
    }

    @Test
    void aFileOthersCanReadIsRefused() throws Exception {
        RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM);
        Path f = dir.resolve("bank_routing_key.json");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM));
        assertTrue(e.getMessage().contains("accessible by other users"), e.getMessage());
    }

    @Test
    void aFileOfAnotherRoleOrANewerVersionIsRefused() throws Exception {
        Path f = dir.resolve("bank_routing_key.json");
        Files.writeString(f, "{\"version\":2,\"role\":\"bank\",\"private_scalar\":\"x\"}");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertTrue(assertThrows(KeyFileException.class, () -> RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM))
                .getMessage().contains("version"));
        RoutingKey c = RoutingKeyFiles.loadOrCreate(dir, "customer", RANDOM);
        Files.delete(f);
        Files.copy(dir.resolve("customer_routing_key.json"), f);
        assertTrue(assertThrows(KeyFileException.class, () -> RoutingKeyFiles.loadOrCreate(dir, "bank", RANDOM))
                .getMessage().contains("another role"));
        assertEquals(c.sessionId(), RoutingKeyFiles.loadOrCreate(dir, "customer", RANDOM).sessionId());
    }
}

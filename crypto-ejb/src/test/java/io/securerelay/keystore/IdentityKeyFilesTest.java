package io.securerelay.keystore;

import io.securerelay.identity.Fingerprints;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.CryptoProviders;
import io.securerelay.fuzz.FuzzFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityKeyFilesTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final ScryptParams FAST = new ScryptParams(1 << 10, 8, 1);

    @TempDir
    Path dir;

    private IdentityKeyPair loadOrCreate(String role, PasswordPrompt prompt) throws KeyFileException {
        return IdentityKeyFiles.loadOrCreate(dir, role, prompt, FAST, RANDOM);
    }

    @Test
    void generateThenLoadRoundTripWithOwnerOnlyPermissionsAndPemFields() throws Exception {
        IdentityKeyPair created = loadOrCreate("bank", PasswordPrompt.NONE);
        Path file = dir.resolve("bank_identity_keys.json");
        assertTrue(Files.isRegularFile(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String json = Files.readString(file);
        assertTrue(json.contains("-----BEGIN PRIVATE KEY-----"));
        assertTrue(json.contains("-----BEGIN PUBLIC KEY-----"));
        IdentityKeyPair loaded = loadOrCreate("bank", PasswordPrompt.NONE);
        assertEquals(created.publicKey(), loaded.publicKey());
        // the loaded private key signs for the stored public key
        byte[] sig = loaded.sign("m".getBytes(StandardCharsets.UTF_8));
        io.securerelay.crypto.P256.verify(created.publicKey().jcaKey(), sig, "m".getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp files left behind");
        }
        assertFalse(created.toString().contains("PRIVATE"));
    }

    private void assertRefusedAndUnchanged(Path file, String expectedProblem) throws Exception {
        byte[] before = Files.readAllBytes(file);
        KeyFileException e = assertThrows(KeyFileException.class, () -> loadOrCreate("bank", PasswordPrompt.NONE));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "file must be left untouched");
        assertFalse(e.getMessage().contains("MII"), "no key material in messages");
    }

    @Test
    void corruptJsonIsRefusedNamingTheFileAndNotOverwritten() throws Exception {
        Path file = dir.resolve("bank_identity_keys.json");
        FuzzFiles.writeOwnerOnly(file, "{ \"private_key\": ".getBytes(StandardCharsets.UTF_8));
        assertRefusedAndUnchanged(file, "corrupt identity key file");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertRefusedAndUnchanged(file, "corrupt identity key file");
        Files.writeString(file, "{\"version\": 1, \"public_key\": \"x\"}");
        assertRefusedAndUnchanged(file, "missing or non-string \"private_key\"");
        Files.writeString(file, "{\"public_key\": \"x\"}");
        assertRefusedAndUnchanged(file, "no numeric \"version\"");
    }

    @Test
    void aKeyFileReadableByOthersIsRefusedWithTheCommandThatFixesItAndLeftUntouched() throws Exception {
        IdentityKeyPair created = loadOrCreate("bank", PasswordPrompt.NONE);
        Path file = dir.resolve("bank_identity_keys.json");
        Assumptions.assumeTrue(Files.getFileStore(file).supportsFileAttributeView("posix"), "POSIX permissions");
        for (String perms : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
            byte[] before = Files.readAllBytes(file);
            KeyFileException e = assertThrows(KeyFileException.class, () -> loadOrCreate("bank", PasswordPrompt.NONE));
            assertTrue(e.getMessage().contains("accessible by other users (permissions " + perms + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("chmod 600 " + file.toAbsolutePath()), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file), "file must be left untouched");
            assertEquals(perms, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "permissions untouched");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(created.publicKey(), loadOrCreate("bank", PasswordPrompt.NONE).publicKey(), "after chmod 600 it loads");
    }

    @Test
    void aKeyFileOfAnUnknownVersionIsRefusedAndLeftUntouched() throws Exception {
        loadOrCreate("bank", PasswordPrompt.NONE);
        Path file = dir.resolve("bank_identity_keys.json");
        for (String version : new String[] {"2", "0", "1.5", "\"1\"", "null"}) {
            jakarta.json.JsonObject json = readJson(file);
            String edited = Files.readString(file).replaceFirst("\"version\":[^,]+,", "\"version\":" + version + ",");
            Files.writeString(file, edited);
            assertRefusedAndUnchanged(file, version.equals("2") || version.equals("0")
                    ? "identity key file has version " + version + ", this program reads only version 1"
                    : "no numeric \"version\"");
            Files.writeString(file, jakarta.json.Json.createObjectBuilder(json).build().toString());
        }
    }

    /** Two processes creating the same identity at once: exactly one file is written, the other writer fails. */
    @Test
    void aRacingSecondWriterLosesCleanly() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path file = dir.resolve("race" + round).resolve("bank_identity_keys.json");
            IdentityKeyPair[] keys = {IdentityKeyPair.generate(RANDOM), IdentityKeyPair.generate(RANDOM)};
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
                for (IdentityKeyPair k : keys) {
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            IdentityKeyFiles.write(file, "bank", k, null, FAST, RANDOM);
                            return true;
                        } catch (KeyFileException e) {
                            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
                            return false;
                        }
                    }));
                }
                start.countDown();
                boolean first = results.get(0).get(10, java.util.concurrent.TimeUnit.SECONDS);
                boolean second = results.get(1).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(first ^ second, "exactly one writer wins (round " + round + ")");
                IdentityKeyPair winner = first ? keys[0] : keys[1];
                assertEquals(winner.publicKey(), IdentityKeyFiles.load(file, PasswordPrompt.NONE).publicKey());
                try (Stream<Path> s = Files.list(file.getParent())) {
                    assertEquals(1, s.count(), "no temp files left behind");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void badPemIsRefused() throws Exception {
        loadOrCreate("bank", PasswordPrompt.NONE);
        Path file = dir.resolve("bank_identity_keys.json");
        String json = Files.readString(file);
        Files.writeString(file, json.replace("-----BEGIN PRIVATE KEY-----\\n", "-----BEGIN PRIVATE KEY-----\\n!!"));
        assertRefusedAndUnchanged(file, "corrupt identity key file");
    }

    @Test
    void mismatchedPublicKeyIsRefusedAsTampered() throws Exception {
        loadOrCreate("bank", PasswordPrompt.NONE);
        Path other = Files.createDirectory(dir.resolve("other"));
        IdentityKeyFiles.loadOrCreate(other, "bank", PasswordPrompt.NONE, FAST, RANDOM);
        Path file = dir.resolve("bank_identity_keys.json");
        jakarta.json.JsonObject mine = readJson(file);
        jakarta.json.JsonObject theirs = readJson(other.resolve("bank_identity_keys.json"));
        jakarta.json.JsonObject tampered = jakarta.json.Json.createObjectBuilder(mine)
                .add("public_key", theirs.getString("public_key")).build();
        Files.writeString(file, tampered.toString());
        assertRefusedAndUnchanged(file, "public key does not match private key");
    }

    /**
     * Found by {@code IdentityKeyFileFuzzTest} (an OutOfMemoryError): a tampered file chose scrypt
     * N=2^20 with r=8 (1 GiB; r=32 would have been 4 GiB), within the old per-parameter bounds, and
     * loading allocated it before the password could be found wrong. Costs beyond twice the
     * default's memory or four times its work are now refused as corrupt, before scrypt runs.
     */
    @Test
    void scryptCostChosenByATamperedFileIsBounded() throws Exception {
        char[] password = "correct horse".toCharArray();
        loadOrCreate("bank", PasswordPrompt.fixed(password));
        Path file = dir.resolve("bank_identity_keys.json");
        byte[] valid = Files.readAllBytes(file);
        java.math.BigInteger[][] tooCostly = {
            {big(1 << 20), big(8), big(1)},           // 1 GiB
            {big(1 << 20), big(32), big(1)},          // 4 GiB
            {big(1 << 17), big(8), big(16)},          // 16 times the default's work
            {big(1 << 15), big(1L << 32 | 8), big(1)}, // r wraps to 8 in an int
            {big(-(1 << 10)), big(8), big(1)},
        };
        for (java.math.BigInteger[] nrp : tooCostly) {
            Files.write(file, IdentityKeyFileFuzzTest.withScrypt(valid, nrp[0], nrp[1], nrp[2]));
            byte[] before = Files.readAllBytes(file);
            KeyFileException e = assertThrows(KeyFileException.class,
                    () -> loadOrCreate("bank", PasswordPrompt.fixed(password)), java.util.Arrays.toString(nrp));
            assertEquals("corrupt identity key file (bad encrypted PKCS#8): " + file, e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file));
        }
        Files.delete(file);
        IdentityKeyPair created = IdentityKeyFiles.loadOrCreate(dir, "bank", PasswordPrompt.fixed(password),
                ScryptParams.DEFAULT, RANDOM);
        assertEquals(created.publicKey(), loadOrCreate("bank", PasswordPrompt.fixed(password)).publicKey(),
                "the default cost still loads");
    }

    private static java.math.BigInteger big(long v) {
        return java.math.BigInteger.valueOf(v);
    }

    @Test
    void unreadableFileIsRefusedNamingTheFile() throws Exception {
        Path file = dir.resolve("bank_identity_keys.json");
        Files.createDirectory(file); // exists but cannot be read as a file
        KeyFileException e = assertThrows(KeyFileException.class, () -> loadOrCreate("bank", PasswordPrompt.NONE));
        assertTrue(e.getMessage().contains("cannot read") && e.getMessage().contains(file.toString()));
        assertTrue(Files.isDirectory(file));
    }

    @Test
    void unreadablePermissionsAreRefused() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads mode-000 files: skipped");
        loadOrCreate("bank", PasswordPrompt.NONE);
        Path file = dir.resolve("bank_identity_keys.json");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> loadOrCreate("bank", PasswordPrompt.NONE));
        assertTrue(e.getMessage().contains(file.toString()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void passwordRightWrongAndMissing() throws Exception {
        AtomicReference<char[]> handedOut = new AtomicReference<>();
        PasswordPrompt prompt = (f, creating) -> {
            char[] p = "correct horse".toCharArray();
            handedOut.set(p);
            return p;
        };
        IdentityKeyPair created = loadOrCreate("customer", prompt);
        assertArrayEquals(new char[13], handedOut.get(), "password wiped after use");
        Path file = dir.resolve("customer_identity_keys.json");
        String json = Files.readString(file);
        assertTrue(json.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assertFalse(json.contains("-----BEGIN PRIVATE KEY-----"));
        byte[] before = Files.readAllBytes(file);

        assertEquals(created.publicKey(), loadOrCreate("customer", prompt).publicKey());
        assertArrayEquals(new char[13], handedOut.get());

        WrongPasswordException wrong = assertThrows(WrongPasswordException.class,
                () -> loadOrCreate("customer", PasswordPrompt.fixed("battery staple".toCharArray())));
        assertEquals("wrong password for " + file, wrong.getMessage());
        KeyFileException missing = assertThrows(KeyFileException.class, () -> loadOrCreate("customer", PasswordPrompt.NONE));
        assertFalse(missing instanceof WrongPasswordException);
        assertTrue(missing.getMessage().contains("no password"));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void roleNamesCannotEscapeTheDirectory() {
        assertThrows(IllegalArgumentException.class, () -> IdentityKeyFiles.fileName("../etc"));
        assertThrows(IllegalArgumentException.class, () -> new FilePeerTrustStore(dir, "A/B"));
    }

    @Test
    void tofuStoreTrustsFirstKeyRefusesChangedKeyAndRetrustsExplicitly() throws Exception {
        IdentityKeyPair bank = IdentityKeyPair.generate(RANDOM);
        IdentityKeyPair impostor = IdentityKeyPair.generate(RANDOM);
        FilePeerTrustStore store = new FilePeerTrustStore(dir, "bank");
        assertTrue(store.stored().isEmpty());
        TrustResult first = store.trust(bank.publicKey());
        assertTrue(first.newlyTrusted());
        assertEquals(bank.publicKey().fingerprint(), first.fingerprint());
        Path file = dir.resolve("bank_public_identity_key.json");
        assertTrue(Files.readString(file).contains("-----BEGIN PUBLIC KEY-----"));
        assertFalse(new FilePeerTrustStore(dir, "bank").trust(bank.publicKey()).newlyTrusted());

        byte[] before = Files.readAllBytes(file);
        UntrustedIdentityException e = assertThrows(UntrustedIdentityException.class, () -> store.trust(impostor.publicKey()));
        assertEquals(bank.publicKey().fingerprint(), e.storedFingerprint());
        assertEquals(impostor.publicKey().fingerprint(), e.presentedFingerprint());
        assertTrue(e.getMessage().contains(e.storedFingerprint()) && e.getMessage().contains(e.presentedFingerprint()));
        assertArrayEquals(before, Files.readAllBytes(file));

        assertTrue(store.retrust(impostor.publicKey()).newlyTrusted());
        assertEquals(impostor.publicKey(), new FilePeerTrustStore(dir, "bank").stored().orElseThrow());
    }

    @Test
    void corruptTrustFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("bank_public_identity_key.json");
        Files.writeString(file, "not json");
        FilePeerTrustStore store = new FilePeerTrustStore(dir, "bank");
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> store.trust(IdentityKeyPair.generate(RANDOM).publicKey()));
        assertTrue(e.getMessage().contains(file.toString()));
        assertEquals("not json", Files.readString(file));
    }

    @Test
    void safetyNumberIs60DigitsInTwelveGroupsAndOrderIndependent() {
        IdentityKeyPair a = IdentityKeyPair.generate(RANDOM);
        IdentityKeyPair b = IdentityKeyPair.generate(RANDOM);
        String ab = Fingerprints.safetyNumber(a.publicKey(), b.publicKey());
        assertEquals(ab, Fingerprints.safetyNumber(b.publicKey(), a.publicKey()));
        assertTrue(ab.matches("\\d{5}( \\d{5}){11}"), ab);
        assertEquals(60, ab.replace(" ", "").length());
        assertNotEquals(ab, Fingerprints.safetyNumber(a.publicKey(), IdentityKeyPair.generate(RANDOM).publicKey()));
        assertTrue(a.publicKey().fingerprint().matches("[0-9a-f]{4}( [0-9a-f]{4}){15}"));
    }

    @Test
    void identityServiceWorksAsPlainJavaWithADirectory() throws Exception {
        IdentityService svc = new IdentityService(dir, new CryptoProviders());
        svc.setScryptParams(FAST);
        IdentityKeyPair k = svc.loadOrCreateIdentity("customer", PasswordPrompt.NONE);
        assertEquals(k.publicKey(), svc.loadOrCreateIdentity("customer", PasswordPrompt.NONE).publicKey());
        assertEquals(dir.resolve("bank_public_identity_key.json"), svc.peerTrust("bank").file());
    }

    private static jakarta.json.JsonObject readJson(Path f) throws Exception {
        try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(Files.newBufferedReader(f))) {
            return r.readObject();
        }
    }
}

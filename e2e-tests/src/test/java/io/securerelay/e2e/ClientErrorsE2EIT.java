package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's errors, as a user meets them, on real processes: TLS trust (missing CA file, a
 * relay from another CA, a pinned certificate right and wrong), an unreachable relay, and a
 * password-protected key with the wrong password. Each ends with its documented exit code and a
 * sentence that says what to do.
 */
class ClientErrorsE2EIT {

    private static final Duration WAIT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "wss://localhost:" + s.getLocalPort() + "/relay";
        }
    }

    private ClientProcess batch(Map<String, String> env, String relay, String... extra) throws Exception {
        Path script = ClientProcess.script(dir, "hello", 1);
        List<String> args = new java.util.ArrayList<>(List.of("bank", "--batch", "--key-dir", dir.resolve("keys").toString(),
                "--relay", relay, "--script", script.toString(), "--expect", "0", "--deadline", "20s",
                "--dummy-interval", "off"));
        args.addAll(List.of(extra));
        return ClientProcess.run(env, args.toArray(String[]::new));
    }

    @Test
    void aMissingCaFileIsNamedWithTheCommandThatCreatesIt() throws Exception {
        try (ClientProcess c = batch(Map.of(), closedPort(), "--ca", dir.resolve("nowhere/ca.pem").toString())) {
            assertEquals(3, c.exitCode(WAIT), c.transcript());
            assertTrue(c.transcript().contains("certificate not found: " + dir.resolve("nowhere/ca.pem"))
                    && c.transcript().contains("./secure-relay certs"), c.transcript());
        }
    }

    @Test
    void aRelayWhoseCertificateIsFromAnotherCaIsRefused() throws Exception {
        Path otherCa = dir.resolve("other-ca.pem");
        Path store = dir.resolve("other.p12");
        run("keytool", "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=another CA",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "notsecret", "-validity", "2");
        run("keytool", "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "notsecret",
                "-file", otherCa.toString());
        LauncherRelay relay = LauncherRelay.shared();
        try (ClientProcess c = batch(Map.of(), relay.uri().toString(), "--ca", otherCa.toString())) {
            assertEquals(3, c.exitCode(WAIT), c.transcript());
            assertTrue(c.transcript().contains("error tls TLS with the relay localhost:"), c.transcript());
            assertTrue(c.transcript().contains("signed by the project's CA"), c.transcript());
        }
    }

    @Test
    void aPinnedRelayCertificateIsAcceptedAndAWrongPinRefused() throws Exception {
        LauncherRelay relay = LauncherRelay.shared();
        String pin = relayCertificateSha256();
        try (ClientProcess c = batch(Map.of(), relay.uri().toString(), "--pin-sha256", pin)) {
            // Registered means TLS with the pinned certificate worked; with no peer it then times out.
            c.await(l -> l.startsWith("session "), WAIT, "registration with the pinned certificate");
        }
        String wrong = (pin.charAt(0) == '0' ? "1" : "0") + pin.substring(1);
        try (ClientProcess c = batch(Map.of(), relay.uri().toString(), "--pin-sha256", wrong)) {
            assertEquals(3, c.exitCode(WAIT), c.transcript());
            assertTrue(c.transcript().contains("does not match the pinned fingerprint"), c.transcript());
        }
    }

    @Test
    void anUnreachableRelayIsNamedWithHostAndPortAndEndsABatchRunWithFour() throws Exception {
        String relay = closedPort();
        try (ClientProcess c = batch(Map.of(), relay, "--deadline", "3s")) {
            assertEquals(4, c.exitCode(WAIT), c.transcript());
            String where = relay.substring("wss://".length(), relay.indexOf("/relay"));
            assertTrue(c.transcript().contains("connection refused by " + where + " (is the relay running?"), c.transcript());
        }
    }

    @Test
    void aWrongPasswordIsSaidSoAndTheKeyFileIsLeftAsItWas() throws Exception {
        String relay = closedPort();
        try (ClientProcess c = batch(Map.of("KEY_PW", "correct horse"), relay, "--protect-key", "--password-env", "KEY_PW",
                "--deadline", "1s")) {
            assertEquals(4, c.exitCode(WAIT), c.transcript()); // the key was created, then no relay
        }
        Path keyFile = dir.resolve("keys/bank_identity_keys.json");
        byte[] before = Files.readAllBytes(keyFile);
        assertTrue(new String(before).contains("ENCRYPTED PRIVATE KEY"), "the key is stored encrypted");
        try (ClientProcess c = batch(Map.of("KEY_PW", "battery staple"), relay, "--password-env", "KEY_PW")) {
            assertEquals(7, c.exitCode(WAIT), c.transcript());
            assertTrue(c.transcript().contains("wrong password for " + keyFile), c.transcript());
        }
        assertArrayEquals(before, Files.readAllBytes(keyFile), "a wrong password never changes the key file");
    }

    private static String relayCertificateSha256() throws Exception {
        Path certs = Path.of(System.getProperty("certs.dir"));
        char[] password = Files.readString(certs.resolve("relay.pass")).trim().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.resolve("relay.p12"))) {
            ks.load(in, password);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ks.getCertificate("relay").getEncoded()));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    }
}

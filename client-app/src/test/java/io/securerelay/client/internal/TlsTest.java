package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client certificate of mutual TLS: loaded from PKCS12, or refused with a sentence for the user. */
class TlsTest {

    @TempDir
    static Path dir;
    private static Path ca;
    private static Path client;
    private static Path certOnly;

    @BeforeAll
    static void stores() throws Exception {
        client = dir.resolve("client.p12");
        keytool("-genkeypair", "-alias", "bank", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=bank",
                "-ext", "eku=clientAuth", "-validity", "2", "-keystore", client.toString(), "-storetype", "PKCS12",
                "-storepass", "right-password");
        ca = dir.resolve("ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "bank", "-keystore", client.toString(), "-storepass", "right-password",
                "-file", ca.toString());
        certOnly = dir.resolve("cert-only.p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.toString(), "-keystore", certOnly.toString(),
                "-storetype", "PKCS12", "-storepass", "right-password");
    }

    @Test
    void aClientCertificateWithItsPasswordGivesAContext() throws Exception {
        assertNotNull(Tls.context(ca, null, client, "right-password".toCharArray()));
        assertNotNull(Tls.context(ca, null, null, null), "no client certificate: as before");
    }

    @Test
    void aMissingFileAWrongPasswordOrNoKeyAreExplained() {
        Path missing = dir.resolve("nowhere.p12");
        Tls.TlsSetupException e = assertThrows(Tls.TlsSetupException.class,
                () -> Tls.context(ca, null, missing, "x".toCharArray()));
        assertTrue(e.getMessage().startsWith("client certificate not found: " + missing.toAbsolutePath()), e.getMessage());
        e = assertThrows(Tls.TlsSetupException.class, () -> Tls.context(ca, null, client, "wrong".toCharArray()));
        assertEquals("wrong password for the client certificate " + client.toAbsolutePath(), e.getMessage());
        e = assertThrows(Tls.TlsSetupException.class, () -> Tls.context(ca, null, client, null));
        assertTrue(e.getMessage().contains("client certificate"), e.getMessage());
        e = assertThrows(Tls.TlsSetupException.class, () -> Tls.context(ca, null, certOnly, "right-password".toCharArray()));
        assertTrue(e.getMessage().contains("holds 0 private keys"), e.getMessage());
    }

    @Test
    void thePasswordArrayIsWipedAfterUse() throws Exception {
        char[] password = "right-password".toCharArray();
        Tls.context(ca, null, client, password);
        assertEquals(new String(new char[password.length]), new String(password));
    }

    static void keytool(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    }
}

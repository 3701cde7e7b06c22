package io.securerelay.desk.store.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and a server certificate for 127.0.0.1 (P-256, BouncyCastle), written as PEM files
 * for a test server: {@code ca.pem}, {@code server.crt}, {@code server.key} (PKCS#8, owner-only).
 */
public final class TestTls {
    private static final SecureRandom RANDOM = new SecureRandom();

    public final Path caPem;
    public final Path serverCert;
    public final Path serverKey;

    private TestTls(Path caPem, Path serverCert, Path serverKey) {
        this.caPem = caPem;
        this.serverCert = serverCert;
        this.serverKey = serverKey;
    }

    /** Writes a new CA and a server certificate with the SAN IP 127.0.0.1 into {@code dir}. */
    public static TestTls write(Path dir, String caName) throws Exception {
        KeyPair ca = ecKey();
        KeyPair server = ecKey();
        Instant now = Instant.now();
        X500Name caDn = new X500Name("CN=" + caName);
        JcaX509v3CertificateBuilder cab = new JcaX509v3CertificateBuilder(caDn, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(2))), caDn, ca.getPublic());
        cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        cab.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509CertificateHolder caCert = cab.build(signer(ca));

        JcaX509v3CertificateBuilder sb = new JcaX509v3CertificateBuilder(caDn, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(2))),
                new X500Name("CN=127.0.0.1"), server.getPublic());
        sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        sb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        sb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        sb.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509CertificateHolder serverCert = sb.build(signer(ca));

        Files.createDirectories(dir);
        Path caPem = dir.resolve("ca.pem");
        Path crt = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.writeString(caPem, pem(caCert), StandardCharsets.US_ASCII);
        Files.writeString(crt, pem(serverCert), StandardCharsets.US_ASCII);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(server.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return new TestTls(caPem, crt, key);
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static ContentSigner signer(KeyPair kp) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate());
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}

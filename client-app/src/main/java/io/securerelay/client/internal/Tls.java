package io.securerelay.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.BadPaddingException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client's TLS trust: only the project's CA (from a PEM file), or only a relay certificate
 * with a pinned SHA-256 fingerprint. Never "trust all". Optionally the client's own certificate
 * (a PKCS12 file), for a relay that requires mutual TLS.
 */
public final class Tls {

    /** Why TLS could not be set up, in words for the user. */
    public static final class TlsSetupException extends Exception {
        private static final long serialVersionUID = 1L;

        public TlsSetupException(String message) {
            super(message);
        }
    }

    private Tls() {
    }

    /**
     * @param caFile    PEM file of the CA the relay's certificate must chain to (used unless pinned)
     * @param pinSha256 hex SHA-256 of the relay's DER certificate, or null
     */
    public static SSLContext context(Path caFile, String pinSha256) throws TlsSetupException {
        return context(caFile, pinSha256, null, null);
    }

    /**
     * @param caFile         PEM file of the CA the relay's certificate must chain to (used unless pinned)
     * @param pinSha256      hex SHA-256 of the relay's DER certificate, or null
     * @param clientCert     PKCS12 file with this client's private key and certificate chain, presented
     *                       when the relay asks for one (mutual TLS), or null for none
     * @param clientPassword the password of {@code clientCert} (the array is wiped here), or null
     */
    public static SSLContext context(Path caFile, String pinSha256, Path clientCert, char[] clientPassword)
            throws TlsSetupException {
        try {
            TrustManager[] trust = pinSha256 != null
                    ? new TrustManager[] {new PinnedTrustManager(parsePin(pinSha256))}
                    : caTrust(caFile);
            KeyManager[] keys = clientCert == null ? null : clientKeys(clientCert, clientPassword);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new AssertionError("the JDK's TLS implementation is unavailable", e);
        }
    }

    private static TrustManager[] caTrust(Path caFile) throws TlsSetupException, GeneralSecurityException {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(caFile)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException("certificate not found: " + caFile.toAbsolutePath()
                    + " (create the TLS material with ./secure-relay certs, or pass --ca FILE)");
        } catch (IOException e) {
            throw new TlsSetupException("cannot read the CA certificate " + caFile.toAbsolutePath() + ": " + e.getMessage());
        } catch (CertificateException e) {
            throw new TlsSetupException("not a PEM certificate: " + caFile.toAbsolutePath());
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        store.setCertificateEntry("secure-relay-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    /** The key managers of a PKCS12 file holding exactly the client's key and certificate chain. */
    private static KeyManager[] clientKeys(Path p12, char[] password) throws TlsSetupException, GeneralSecurityException {
        char[] pw = password == null ? new char[0] : password;
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, pw);
            } catch (NoSuchFileException e) {
                throw new TlsSetupException("client certificate not found: " + p12.toAbsolutePath()
                        + " (create it with ./secure-relay certs, or check --client-cert)");
            } catch (IOException e) {
                if (e.getCause() instanceof UnrecoverableKeyException || e.getCause() instanceof BadPaddingException) {
                    throw new TlsSetupException("wrong password for the client certificate " + p12.toAbsolutePath());
                }
                throw new TlsSetupException("cannot read the client certificate " + p12.toAbsolutePath()
                        + " (a PKCS12 file with its password is expected): " + e.getMessage());
            } catch (CertificateException e) {
                throw new TlsSetupException("the client certificate file " + p12.toAbsolutePath() + " holds a bad certificate");
            }
            int keyEntries = 0;
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyEntries++;
                }
            }
            if (keyEntries != 1) {
                throw new TlsSetupException("the client certificate file " + p12.toAbsolutePath() + " holds " + keyEntries
                        + " private keys; exactly one (with its certificate) is expected");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            try {
                kmf.init(store, pw);
            } catch (UnrecoverableKeyException e) {
                throw new TlsSetupException("wrong password for the private key in " + p12.toAbsolutePath());
            }
            return kmf.getKeyManagers();
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private static byte[] parsePin(String pin) throws TlsSetupException {
        String hex = pin.replaceAll("[:\\s]", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new TlsSetupException("--pin-sha256 takes the 64 hex digits of a SHA-256 fingerprint");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** Accepts exactly one server certificate: the one whose SHA-256 is pinned. */
    private static final class PinnedTrustManager implements X509TrustManager {
        private final byte[] pin;

        PinnedTrustManager(byte[] pin) {
            this.pin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the relay sent no certificate");
            }
            chain[0].checkValidity();
            byte[] actual;
            try {
                actual = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
            if (!MessageDigest.isEqual(pin, actual)) {
                throw new CertificateException("the relay's certificate (SHA-256 " + HexFormat.of().formatHex(actual)
                        + ") does not match the pinned fingerprint");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client does not authenticate clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

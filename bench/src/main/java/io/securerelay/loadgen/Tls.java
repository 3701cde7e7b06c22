package io.securerelay.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The generator's TLS: trusts the project's own CA only (certs/generated/truststore.p12), and
 * makes every connection a full handshake, as a new client's is (no session resumption).
 */
final class Tls {

    /**
     * A client session timeout longer than the longest ticket lifetime TLS 1.3 allows (7 days, RFC
     * 8446 4.6.1): the JDK's client then discards every NewSessionTicket ("Session cache lifetime
     * is too long. Discarding ticket.", {@code sun.security.ssl.NewSessionTicket}), so it holds no
     * pre-shared key to resume with. Left at its default, it resumed most connections to the same
     * server (3 of 4 to a JDK server, every second one to Node), skipping the server's certificate
     * and its signature: the churn scenario's Java figures were then partly resumptions.
     * {@code TlsIT} checks that none happens.
     */
    static final int NO_RESUMPTION_SESSION_TIMEOUT_SECONDS = 7 * 24 * 3600 + 1;

    private Tls() {
    }

    static SSLContext trustingProjectCa(Path certsDir) throws IOException, GeneralSecurityException {
        Path store = certsDir.resolve("truststore.p12");
        char[] password = Files.readString(certsDir.resolve("truststore.pass"), StandardCharsets.UTF_8).trim().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        ctx.getClientSessionContext().setSessionTimeout(NO_RESUMPTION_SESSION_TIMEOUT_SECONDS);
        return ctx;
    }
}

package io.securerelay.relay.testkit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;

/** TLS for test clients: trust only the project's development CA, as the real clients do. */
public final class TestTls {

    private TestTls() {
    }

    public static Path certsDir() {
        return Path.of(System.getProperty("certs.dir", "../certs/generated"));
    }

    /** A Tyrus client (one shared container) that verifies the relay's certificate and host name. */
    public static ClientManager clientManager() throws Exception {
        ClientManager client = ClientManager.createClient();
        SslEngineConfigurator tls = new SslEngineConfigurator(trustingProjectCa(), true, false, false);
        tls.setHostVerificationEnabled(true);
        client.getProperties().put(ClientProperties.SSL_ENGINE_CONFIGURATOR, tls);
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        return client;
    }

    public static SSLContext trustingProjectCa() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certsDir().resolve("ca.pem"))) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("secure-relay-ca", ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}

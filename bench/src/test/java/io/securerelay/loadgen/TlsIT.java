package io.securerelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/**
 * The generator's TLS client makes a full handshake on every connection (the churn scenario
 * counts new clients, which have no session to resume). A TLS 1.3 server picks its certificate
 * only in a full handshake, so a server whose key manager counts those choices tells them apart
 * from resumptions. The project's certificate (certs/generated), loopback only.
 */
class TlsIT {

    private static final Path CERTS = Path.of(System.getProperty("project.root")).resolve("certs/generated");
    private static final int CONNECTIONS = 4;

    @Test
    void everyConnectionOfTheGeneratorIsAFullHandshake() throws Exception {
        assertEquals(CONNECTIONS, fullHandshakes(Tls.trustingProjectCa(CERTS)),
                "the server chose its certificate once per connection: nothing was resumed");
    }

    @Test
    void withTheJdksDefaultsTheSameClientResumes() throws Exception {
        // The check above can fail: the same client context with the JDK's default session timeout.
        SSLContext ctx = Tls.trustingProjectCa(CERTS);
        ctx.getClientSessionContext().setSessionTimeout(86_400);
        int full = fullHandshakes(ctx);
        assertTrue(full < CONNECTIONS, "with the default timeout some connections resume; full handshakes: " + full);
    }

    /** Connects {@link #CONNECTIONS} times, one after the other; answers how many were full handshakes. */
    private static int fullHandshakes(SSLContext client) throws Exception {
        AtomicInteger certificateChoices = new AtomicInteger();
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(new X509KeyManager[] {new Counting(relayKeyManager(), certificateChoices)}, null, null);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    try (Socket s = listener.accept()) {
                        s.getOutputStream().write(1); // after the handshake: the client reads its tickets too
                        s.getOutputStream().flush();
                        s.getInputStream().read(); // until the client closes
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            for (int i = 0; i < CONNECTIONS; i++) {
                try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    assertEquals(1, s.getInputStream().read(), "the server's byte");
                }
            }
            serving.get(30, TimeUnit.SECONDS);
        }
        return certificateChoices.get();
    }

    private static X509KeyManager relayKeyManager() throws Exception {
        char[] password = Files.readString(CERTS.resolve("relay.pass"), StandardCharsets.UTF_8).trim().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(CERTS.resolve("relay.p12"))) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return (X509KeyManager) kmf.getKeyManagers()[0];
    }

    /** The relay's key manager, counting the times a server chose its certificate. */
    private static final class Counting extends X509ExtendedKeyManager {
        private final X509KeyManager delegate;
        private final AtomicInteger choices;

        Counting(X509KeyManager delegate, AtomicInteger choices) {
            this.delegate = delegate;
            this.choices = choices;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            String alias = delegate.chooseServerAlias(keyType, issuers, socket);
            if (alias != null) {
                choices.incrementAndGet();
            }
            return alias;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            String alias = delegate instanceof X509ExtendedKeyManager x
                    ? x.chooseEngineServerAlias(keyType, issuers, engine) : delegate.chooseServerAlias(keyType, issuers, null);
            if (alias != null) {
                choices.incrementAndGet();
            }
            return alias;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}

package io.securerelay.desk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desk over HTTPS with the project's own development certificate ({@code certs/generate.sh}, the relay's
 * {@code relay.p12}, into a temporary directory): TLS 1.3 by default, TLS 1.2 with ECDHE and AEAD only, the
 * session cookie Secure and {@code __Host-}.
 */
class DeskWebTlsTest {
    @TempDir
    static Path certs;
    private static DeskWebServer server;
    private static SSLContext trust;

    @BeforeAll
    static void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "certs", "generate.sh").toString())
                .redirectErrorStream(true).redirectOutput(certs.resolve("generate.log").toFile());
        pb.environment().put("CERTS_DIR", certs.resolve("generated").toString());
        Process gen = pb.start();
        gen.getOutputStream().close();
        assertTrue(gen.waitFor(120, TimeUnit.SECONDS), "certs/generate.sh did not finish");
        assertEquals(0, gen.exitValue(), Files.readString(certs.resolve("generate.log")));
        Path dir = certs.resolve("generated");
        char[] relayPass = Files.readString(dir.resolve("relay.pass")).strip().toCharArray();
        server = DeskWebServer.builder(new InMemoryDesk(java.time.Clock.systemUTC()), ApiToken.of(DeskWebServerTest.TOKEN))
                .port(0).tls(dir.resolve("relay.p12"), relayPass).start();
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("truststore.p12"))) {
            ts.load(in, Files.readString(dir.resolve("truststore.pass")).strip().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        trust = SSLContext.getInstance("TLS");
        trust.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static SSLSocket socket(String protocol, String suite) throws Exception {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        if (suite != null) {
            p.setCipherSuites(new String[] {suite});
        }
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        return s;
    }

    @Test
    void httpsWithTheProjectsCertificateAndASecureHostCookie() throws Exception {
        assertTrue(server.uri().toString().startsWith("https://127.0.0.1:"), server.uri().toString());
        HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/session"))
                .header("Content-Type", "application/json").header("X-Desk-Request", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + DeskWebServerTest.TOKEN + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, r.statusCode(), r.body());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("__Host-desk_session="), cookie);
        assertTrue(cookie.contains("; Secure"), cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/status"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains(InMemoryDesk.BANK_ID));
        assertEquals(HttpClient.Version.HTTP_1_1, status.version(), "no h2 offered over ALPN");
        assertEquals("application/json", status.headers().firstValue("Content-Type").orElse(""),
                "over TLS java.net.http's default client sends no Upgrade: h2c, so the Content-Type is there");
    }

    @Test
    void tls13ByDefaultAnd12WithAeadOnly() throws Exception {
        try (SSLSocket s = socket("TLSv1.3", null)) {
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        try (SSLSocket s = socket("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")) {
            s.startHandshake();
            assertEquals("TLSv1.2", s.getSession().getProtocol());
        }
        try (SSLSocket s = socket("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")) {
            assertThrows(SSLException.class, s::startHandshake, "a CBC suite is refused");
        }
    }
}

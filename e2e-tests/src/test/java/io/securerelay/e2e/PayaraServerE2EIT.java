package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.testkit.HeadlessChromium;
import io.securerelay.relay.testkit.ListeningSockets;
import io.securerelay.relay.testkit.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same relay.war on a full Payara Server 6, started by {@code ./secure-relay server}: only the
 * relay's TLS port and the loopback admin port listen (no data grid); the bank and customer client
 * processes talk through it; the relay's figures in Payara's admin REST monitoring and in
 * {@code asadmin get -m} move with the traffic; an undeploy and redeploy without a restart works and
 * leaves no threads behind; the relay's Tyrus/Grizzly fast path is active (no fallback warning in
 * server.log). In the {@code payara-server} profile (4.5 to 7 minutes here, most of it domain
 * creation and two boots), which {@code .ci/run} enables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraServerE2EIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String STATS = "/monitoring/domain/server/applications/relay/relay-statistics";
    private static final List<String> FALLBACK_WARNINGS = List.of("cannot move Tyrus' idle timers",
            "cannot give Tyrus' WebSocket container", "cannot reach Grizzly's TLS buffers");

    private static LauncherServer server;
    private static HttpClient http;
    private static HttpClient adminHttp;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        long start = System.nanoTime();
        Path serverDir = Path.of(System.getProperty("e2e.workdir"), "payara-server");
        // A new domain each run (the distribution, unpacked by an earlier run, is kept).
        deleteTree(serverDir.resolve("domains"));
        Files.deleteIfExists(serverDir.resolve("passwords"));
        server = LauncherServer.start(Integer.getInteger("e2e.server.port"), Integer.getInteger("e2e.server.adminport"),
                serverDir);
        System.out.printf("Payara Server started by the launcher, ready after %d s%n",
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
        http = HttpClient.newBuilder().sslContext(TestTls.trustingProjectCa()).connectTimeout(Duration.ofSeconds(30))
                .build();
        adminHttp = HttpClient.newBuilder().sslContext(trusting(serverDir.resolve("admin-cert.pem")))
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            long pid = server.serverPid();
            server.close();
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(2, java.util.concurrent.TimeUnit.MINUTES).join());
        }
    }

    @Test
    @Order(1)
    void onlyTheRelayPortAndTheLoopbackAdminPortListenAndTheDataGridIsOff() throws Exception {
        // "*:port" for every interface, "127.0.0.1:port" for loopback (IPv4 or IPv4-mapped), TCP and UDP.
        Set<String> listening = new TreeSet<>();
        for (ListeningSockets.Listener l : ListeningSockets.of(server.serverPid())) {
            String host = l.anyAddress() ? "*" : l.loopback() ? "127.0.0.1" : l.address();
            listening.add((l.protocol().equals("udp") ? "udp " : "") + host + ":" + l.port());
        }
        Set<String> expected = new TreeSet<>(Set.of("*:" + server.port(), "127.0.0.1:" + server.adminPort()));
        assertEquals(expected, listening, "the server JVM's listening sockets (a Hazelcast member would be *:4900, "
                + "plain HTTP *:8080, IIOP *:3700, JMS *:7676, JMX *:8686)");
        assertTrue(server.asadmin("get-hazelcast-configuration").matches("(?s).*Enabled\\s+false.*"),
                "the domain's data grid is disabled");
    }

    @Test
    @Order(2)
    void theAdminPasswordIsPrintedOnceKeptOwnerOnlyAndNeverLogged() throws Exception {
        String password = server.adminPassword();
        assertNotNull(server.passwordLine(), "the launcher printed the generated password:\n" + server.transcript());
        assertTrue(server.passwordLine().contains(password));
        assertEquals(1, server.transcript().split(Pattern.quote(password), -1).length - 1, "printed once");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.passwordFile())));
        String log = Files.readString(server.serverLog());
        assertFalse(log.contains(password), "server.log holds the admin password");
        assertFalse(log.contains("RELAY-ADMIN-PASSWORD"), "the relay generated (and logged) a console password");
        // Secure admin: the admin REST interface wants the password.
        assertEquals(401, adminHttp.send(HttpRequest.newBuilder(adminUri("/monitoring/domain/server")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    @Order(3)
    void clientsTalkThroughPayaraServerAndItsMonitoringCountsTheFrames() throws Exception {
        long framesBefore = stat("framesrelayed");
        converse(20);
        long framesAfter = stat("framesrelayed");
        // 20 messages each way, each one DELIVER frame at least (plus handshake, acknowledgements).
        assertTrue(framesAfter - framesBefore >= 40, "frames relayed moved by " + (framesAfter - framesBefore));
        assertEquals(0, stat("connectionsopen"), "both clients have closed");
        String dotted = server.asadmin("get", "-m", "server.applications.relay.relay-statistics.framesrelayed-count");
        Matcher m = Pattern.compile("framesrelayed-count = (\\d+)").matcher(dotted);
        assertTrue(m.find(), dotted);
        assertEquals(framesAfter, Long.parseLong(m.group(1)), "asadmin get -m and the REST interface agree");
    }

    @Test
    @Order(4)
    void theFastPathIsActiveOnPayaraServer() throws Exception {
        String log = Files.readString(server.serverLog());
        for (String warning : FALLBACK_WARNINGS) {
            assertFalse(log.contains(warning), "server.log: the relay fell back: " + warning);
        }
        String metrics = get(URI.create("https://localhost:" + server.port() + "/metrics?scope=application"), "text/plain",
                false);
        assertTrue(gauge(metrics, "relay_flushes_deferred") > 0, "deferred flushes:\n" + metrics);
        for (String hook : List.of("tyrus-idle-timers", "grizzly-tls-buffers")) {
            String value = metrics.lines()
                    .filter(l -> l.startsWith("relay_container_hook{") && l.contains("hook=\"" + hook + "\""))
                    .findFirst().map(l -> l.substring(l.lastIndexOf(' ') + 1)).orElse("missing");
            System.out.println("Payara Server: container hook " + hook + " = " + value);
            assertEquals(1.0, value.equals("missing") ? Double.NaN : Double.parseDouble(value),
                    hook + " on Payara Server (1: on; -2: not the tested version, see server.log)");
        }
    }

    @Test
    @Order(5)
    void undeployAndRedeployWithoutARestartWorksAgainWithoutLeakedThreads() throws Exception {
        long pid = server.serverPid();
        long threadsBefore = threads();
        server.asadmin("undeploy", "relay");
        server.asadmin("deploy", "--name", "relay",
                Path.of(System.getProperty("project.root"), "relay-war/target/relay.war").toString());
        assertEquals(pid, server.serverPid(), "no restart");
        assertEquals(0, stat("framesrelayed"), "a new deployment starts its counters at zero");
        converse(5);
        assertTrue(stat("framesrelayed") >= 10, "the redeployed relay relays");
        long threadsAfter = threads();
        System.out.printf("JVM threads: %d before the undeploy, %d after the redeploy and a conversation%n", threadsBefore,
                threadsAfter);
        assertTrue(Math.abs(threadsAfter - threadsBefore) <= threadsBefore / 10,
                "JVM threads " + threadsBefore + " before the redeploy, " + threadsAfter + " after");
    }

    /**
     * Where an operator finds the figures, in a real headless Chromium: the admin console on the
     * loopback admin port (login, home, Monitoring Data), and the relay's own statistics in the admin REST
     * interface's HTML view on the same port, after HTTP Basic login. Screenshots kept in
     * e2e-tests/target/payara-server-*.png.
     */
    @Test
    @Order(6)
    void theAdminConsoleAndTheRelayStatisticsOpenInABrowser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(HeadlessChromium.installed() || "true".equals(System.getenv("CI")),
                "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        Path target = Path.of(System.getProperty("e2e.workdir")).getParent();
        String admin = "https://localhost:" + server.adminPort();
        Duration consoleWait = Duration.ofMinutes(4); // its first page deploys the console (202 "loading" meanwhile)
        try (HeadlessChromium browser = new HeadlessChromium(target.resolve("payara-server-chromedriver.log"))) {
            browser.open(admin + "/");
            HeadlessChromium.waitFor(consoleWait, () -> present(browser, "#Login\\.username"), "the console's login form");
            browser.screenshot(target.resolve("payara-server-login.png"));
            browser.type("#Login\\.username", "admin");
            browser.type("#Login\\.password", server.adminPassword());
            browser.click("#loginButton");
            awaitBody(browser, "Common Tasks", consoleWait, target.resolve("payara-server-console-home.png"));
            browser.open(admin + "/common/monitor/monitoringPage.jsf?configName=server-config");
            awaitBody(browser, "Monitoring", consoleWait, target.resolve("payara-server-console-monitoring.png"));

            // The admin REST interface answers browsers with HTML; it wants HTTP Basic credentials.
            browser.open("https://admin:" + server.adminPassword() + "@localhost:" + server.adminPort() + STATS);
            awaitBody(browser, "framesrelayed", consoleWait, target.resolve("payara-server-rest-relay-statistics.png"));
            String body = browser.text("body");
            assertTrue(body.contains("connectionsopen") && body.contains("rejections"), body);
        }
    }

    private static boolean present(HeadlessChromium browser, String css) {
        try {
            return browser.find(css) != null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Waits until the page's text contains {@code text}, then (or on timeout, to show why) takes a screenshot. */
    private static void awaitBody(HeadlessChromium browser, String text, Duration timeout, Path png) throws Exception {
        try {
            HeadlessChromium.waitFor(timeout, () -> bodyHas(browser, text), "'" + text + "' on " + browser.currentUrl());
        } finally {
            browser.screenshot(png);
        }
    }

    private static boolean bodyHas(HeadlessChromium browser, String text) {
        try {
            String body = browser.text("body");
            return body != null && body.contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void converse(int count) throws Exception {
        Path keys = dir.resolve("keys");
        Path scripts = dir.resolve("scripts-" + count);
        Path bankScript = ClientProcess.script(scripts, "from bank", count);
        Path customerScript = ClientProcess.script(scripts, "from customer", count);
        try (ClientProcess bank = ClientProcess.start("bank", keys, server.uri(), bankScript, count, null)) {
            String bankId = bank.sessionId(WAIT);
            try (ClientProcess customer = ClientProcess.start("customer", keys, server.uri(), customerScript, count,
                    bankId)) {
                assertEquals(0, customer.exitCode(WAIT), "customer exit code; output:\n" + customer.transcript());
                assertEquals(0, bank.exitCode(WAIT), "bank exit code; output:\n" + bank.transcript());
                assertEquals(ClientProcess.expected("from customer", count), ClientProcess.received(bank.transcript()));
                assertEquals(ClientProcess.expected("from bank", count), ClientProcess.received(customer.transcript()));
            }
        }
        java.nio.file.Files.walk(keys).sorted(java.util.Comparator.reverseOrder())
                .filter(p -> p.toString().contains("_conversation")).forEach(p -> p.toFile().delete());
    }

    /** An SSLContext that trusts only the certificate in {@code pem}. */
    private static javax.net.ssl.SSLContext trusting(Path pem) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("admin", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory
                .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static URI adminUri(String path) {
        return URI.create("https://localhost:" + server.adminPort() + path);
    }

    private static String get(URI uri, String accept, boolean admin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Accept", accept);
        if (admin) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + server.adminPassword()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = (admin ? adminHttp : http).send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri + ": " + r.body());
        return r.body();
    }

    /** A count from the relay's statistics in Payara's admin REST monitoring. */
    private static long stat(String id) throws Exception {
        return count(get(adminUri(STATS), "application/json", true), id);
    }

    /** Live JVM threads of the server, from Payara's admin REST monitoring (jvm level). */
    private static long threads() throws Exception {
        return count(get(adminUri("/monitoring/domain/server/jvm/thread-system"), "application/json", true), "threadcount");
    }

    private static long count(String json, String id) {
        Matcher m = Pattern.compile("\"" + id + "\"\\s*:\\s*\\{[^}]*\"count\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "no " + id + " in " + json);
        return Long.parseLong(m.group(1));
    }

    private static double gauge(String prometheus, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(prometheus);
        assertTrue(m.find(), "no " + name);
        return Double.parseDouble(m.group(1));
    }
}

package io.securerelay.relay.it;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.testkit.RawWebSocketClient;
import io.securerelay.relay.testkit.RelayTestDeployment;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import io.securerelay.testkit.HeadlessChromium;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Observability of the relay WAR on the default-settings Payara Micro (the container of
 * {@link RelayIT}, a second deployment, no second boot): its Prometheus metrics move with traffic,
 * MicroProfile Health answers UP, the admin console refuses the unauthenticated and shows live
 * figures in a real headless Chromium (screenshot: {@code target/admin-console.png}), and sslscan
 * finds only TLS 1.2/1.3 with AEAD suites and the project's certificate.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayMonitoringIT {

    /** The admin credentials of the test container (arquillian.xml holds the SHA-256 of the password). */
    static final String ADMIN_USER = "operator";
    static final String ADMIN_PASSWORD = "relay-it-admin-password";
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

    /** The CSP every response of the WAR carries: no inline script or style, nothing from elsewhere, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /** The deployment on Payara's loopback HTTP listener (its random port): {@code http://localhost:<port>/}. */
    @ArquillianResource
    private URL httpBase;

    private static ClientManager client;
    private static URI relay;
    private static String https;
    private static HttpClient http;

    @Deployment(testable = false)
    static WebArchive relayWar() {
        return RelayTestDeployment.builtWar();
    }

    @BeforeAll
    static void clients() throws Exception {
        // -Dit.test=RelayMonitoringIT selects the class in both failsafe executions; the admin
        // credentials are set on the default container only.
        Assumptions.assumeFalse("payara-hardening".equals(System.getProperty("arquillian.launch")),
                "RelayMonitoringIT runs on the default-settings Payara only");
        client = TestTls.clientManager();
        relay = RelayTestDeployment.relayUri();
        https = RelayTestDeployment.httpsBase();
        http = newHttp();
    }

    @AfterAll
    static void stopClient() {
        if (client != null) {
            client.shutdown();
        }
    }

    private static HttpClient newHttp() throws Exception {
        return HttpClient.newBuilder().sslContext(TestTls.trustingProjectCa()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void prometheusMetricsCountFramesBytesRejectionsAndConnections() throws Exception {
        String before = get("/metrics");
        double frames0 = metric(before, "relay_frames_relayed_total", "");
        double bytes0 = metric(before, "relay_bytes_relayed_total", "");
        double notConnected0 = metric(before, "relay_rejections_total", "reason=\"PEER_NOT_CONNECTED\"");
        double unsupported0 = metric(before, "relay_rejections_total", "reason=\"UNSUPPORTED_DATA\"");
        int frames = 40;
        int payload = 1000;
        try (TestRelayClient a = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient b = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient text = TestRelayClient.connect(client, relay, RANDOM)) {
            for (int i = 0; i < frames; i++) {
                a.send(b.id, new byte[payload]);
            }
            for (int i = 0; i < frames; i++) {
                assertInstanceOf(RelayFrame.Deliver.class, b.next());
            }
            a.send(SessionId.random(RANDOM), new byte[] {1});
            assertInstanceOf(RelayFrame.Error.class, a.next());
            text.sendText("not binary");
            assertEquals(RelayCloseCodes.UNSUPPORTED_DATA, text.awaitClose().getCloseCode().getCode());

            // The counters move once the writes completed: poll the scrape, never a fixed sleep.
            String[] after = new String[1];
            HeadlessChromium.waitFor(WAIT, () -> {
                after[0] = getQuietly("/metrics");
                return metric(after[0], "relay_frames_relayed_total", "") >= frames0 + frames;
            }, "relay_frames_relayed_total did not grow by " + frames);
            String m = after[0];
            System.out.println("relay metrics after traffic:");
            m.lines().filter(l -> l.startsWith("relay_") && !l.contains("_bucket")).forEach(l -> System.out.println("  " + l));
            double deliverBytes = frames * (payload + 18.0);
            assertTrue(metric(m, "relay_bytes_relayed_total", "") >= bytes0 + deliverBytes, "bytes relayed");
            assertEquals(notConnected0 + 1, metric(m, "relay_rejections_total", "reason=\"PEER_NOT_CONNECTED\""));
            assertEquals(unsupported0 + 1, metric(m, "relay_rejections_total", "reason=\"UNSUPPORTED_DATA\""));
            assertTrue(metric(m, "relay_connections_open", "") >= 2, "open connections");
            assertTrue(metric(m, "relay_sessions_registered", "") >= 2, "registered sessions");
            assertTrue(metric(m, "relay_send_pending_bytes", "") >= 0, "pending bytes");
            assertTrue(metric(m, "relay_latency_microseconds_count", "") >= 0 && m.contains("relay_latency_microseconds{"),
                    "latency histogram present");
            assertTrue(metric(m, "relay_rejections_total", "reason=\"RATE_LIMITED\"") >= 0, "every reason listed at 0");
        }
    }

    @Test
    void healthLivenessAndReadinessAreUp() throws Exception {
        for (String path : new String[] {"/health/live", "/health/ready", "/health"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(https + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println(path + " -> " + r.statusCode() + " " + r.body());
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.body().replace(" ", "").contains("\"status\":\"UP\""), path + ": " + r.body());
        }
        String live = get("/health/live");
        assertTrue(live.contains("relay-router"), live);
        String ready = get("/health/ready");
        assertTrue(ready.contains("relay-deployment"), ready);
    }

    @Test
    void aPlainHttpRequestToTheEndpointIsToldToUpgradeAndAWebSocketStillConnects() throws Exception {
        for (String method : new String[] {"GET", "POST"}) {
            HttpRequest.BodyPublisher body = method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("x");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(https + "/relay"))
                    .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(426, r.statusCode(), method + " /relay: " + r.body());
            assertEquals("websocket", r.headers().firstValue("Upgrade").orElse(""), method + " /relay: the Upgrade header");
            assertTrue(r.body().contains("WebSocket endpoint"), r.body());
        }
        // The servlet at /relay does not stand in the way of the upgrade.
        try (RawWebSocketClient ws = RawWebSocketClient.connect(RelayTestDeployment.relayUri())) {
            assertInstanceOf(RelayFrame.Challenge.class, ws.nextRelayFrame(Duration.ofSeconds(10)),
                    "the relay's CHALLENGE arrives after the upgrade");
        }
    }

    @Test
    void theAdminConsoleRefusesTheUnauthenticatedAndAWrongPassword() throws Exception {
        HttpClient fresh = newHttp();
        HttpResponse<String> api = fresh.send(HttpRequest.newBuilder(URI.create(https + "/admin/api/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, api.statusCode());
        assertFalse(api.body().contains("connections"));
        // "/admin" itself is first redirected (301) by the container to "/admin/".
        for (String page : new String[] {"/admin/", "/admin/index.html", "/admin/admin.js"}) {
            HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(URI.create(https + page)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(302, r.statusCode(), page);
            assertTrue(r.headers().firstValue("Location").orElse("").endsWith("/admin/login.html"), page);
        }
        HttpResponse<String> wrong = login(fresh, ADMIN_USER, "wrong password");
        assertTrue(wrong.headers().firstValue("Location").orElse("").contains("failed"));
        assertEquals(401, fresh.send(HttpRequest.newBuilder(URI.create(https + "/admin/api/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        HttpResponse<String> ok = login(fresh, ADMIN_USER, ADMIN_PASSWORD);
        assertEquals(302, ok.statusCode());
        String cookie = ok.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure"), cookie);
        HttpResponse<String> stats = fresh.send(HttpRequest.newBuilder(URI.create(https + "/admin/api/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stats.statusCode());
        assertTrue(stats.body().contains("\"connections\":"), stats.body());
        assertEquals("DENY", stats.headers().firstValue("X-Frame-Options").orElse(""));
    }

    /**
     * The browser security headers on every kind of answer the WAR gives, anonymous and logged in,
     * on the TLS port; on the loopback HTTP port the same without HSTS. Payara's own /metrics and
     * /health get them too: with the WAR at the context root "/" they pass through its filters.
     */
    @Test
    void everyResponseOfTheWarCarriesTheSecurityHeadersAndHstsOnlyOverTls() throws Exception {
        Map<String, Integer> anonymous = new LinkedHashMap<>();
        anonymous.put("/admin/login.html", 200);
        anonymous.put("/admin/login.js", 200);
        anonymous.put("/admin/admin.css", 200);
        anonymous.put("/admin/", 302);
        anonymous.put("/admin/index.html", 302);
        anonymous.put("/admin/api/stats", 401);
        anonymous.put("/relay", 426);
        anonymous.put("/no-such-page", 404);
        anonymous.put("/metrics", 200);
        anonymous.put("/health", 200);
        HttpClient fresh = newHttp();
        for (Map.Entry<String, Integer> e : anonymous.entrySet()) {
            HttpResponse<?> r = headersOnly(fresh, URI.create(https + e.getKey()));
            assertEquals((int) e.getValue(), r.statusCode(), e.getKey());
            assertSecurityHeaders(r, true, "GET " + e.getKey());
        }
        HttpResponse<String> forged = fresh.send(HttpRequest.newBuilder(URI.create(https + "/admin/logout"))
                .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode());
        assertSecurityHeaders(forged, true, "the 403 of a forged POST");

        assertEquals(302, login(fresh, ADMIN_USER, ADMIN_PASSWORD).statusCode());
        for (String page : new String[] {"/admin/", "/admin/index.html", "/admin/admin.js", "/admin/admin.css",
                "/admin/api/stats", "/admin/api/session"}) {
            HttpResponse<String> r = send(fresh, page, "GET", null);
            assertEquals(200, r.statusCode(), page);
            assertSecurityHeaders(r, true, "logged-in GET " + page);
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""), page + ": not cached");
        }
        assertNoStyleOrScriptInline(send(fresh, "/admin/index.html", "GET", null).body(), "index.html");
        assertNoStyleOrScriptInline(send(fresh, "/admin/login.html", "GET", null).body(), "login.html");
        logout(fresh);

        // The loopback HTTP listener: the same headers, no HSTS (it would promise TLS on a port without it).
        // HTTP/1.1 as a browser speaks it on http:// (the JDK client would otherwise ask for an h2c upgrade).
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        // The listener is bound to 127.0.0.1 only (pre-boot-commands.asadmin); "localhost" may resolve to ::1 first.
        String base = "http://127.0.0.1:" + httpBase.getPort();
        assertTrue(httpBase.getProtocol().equals("http"), httpBase.toString());
        for (String path : new String[] {"/admin/login.html", "/admin/api/stats", "/relay", "/metrics"}) {
            assertSecurityHeaders(headersOnly(plain, URI.create(base + path)), false, "HTTP port " + path);
        }
    }

    /**
     * A GET whose body is not waited for: the 426 at {@code /relay} comes without a length
     * (Grizzly leaves it out of a response with an {@code Upgrade} header), so reading it to the
     * end would wait for the keep-alive timeout (30 s).
     */
    private static HttpResponse<?> headersOnly(HttpClient c, URI uri) throws Exception {
        HttpResponse<java.io.InputStream> r = c.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r;
    }

    @Test
    void theSessionCookieIsSecureHttpOnlySameSiteStrictOnAdminOnlyAndDiesAtSignOut() throws Exception {
        HttpClient fresh = newHttp();
        HttpResponse<String> ok = login(fresh, ADMIN_USER, ADMIN_PASSWORD);
        assertEquals(302, ok.statusCode());
        List<String> setCookies = ok.headers().allValues("Set-Cookie");
        String cookie = setCookies.stream().filter(c -> c.startsWith("JSESSIONID=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie in " + setCookies));
        String redacted = cookie.replaceFirst("=[^;]*", "=…"); // the session ID is a credential: never printed
        System.out.println("Set-Cookie at login: " + redacted);
        List<String> attributes = List.of(redacted.split(";\\s*"));
        for (String a : new String[] {"Secure", "HttpOnly", "SameSite=Strict", "Path=/admin"}) {
            assertTrue(attributes.stream().anyMatch(x -> x.equalsIgnoreCase(a)), a + " in " + attributes);
        }
        assertFalse(cookie.toLowerCase().contains("max-age") || cookie.toLowerCase().contains("expires"),
                "a browser-session cookie, never stored on disk: " + attributes);
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertEquals(200, send(fresh, "/admin/api/stats", "GET", null).statusCode());

        HttpResponse<String> out = logout(fresh);
        String deleted = out.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .findFirst().orElseThrow(() -> new AssertionError("sign-out does not delete the cookie"));
        assertTrue(deleted.startsWith("JSESSIONID=;") && deleted.contains("Max-Age=0") && deleted.contains("Path=/admin"),
                deleted);
        // The old cookie, replayed by hand, opens nothing: the session itself was invalidated.
        HttpClient noJar = HttpClient.newBuilder().sslContext(TestTls.trustingProjectCa())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> replay = noJar.send(HttpRequest.newBuilder(URI.create(https + "/admin/api/stats"))
                .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, replay.statusCode(), "the signed-out session's cookie replayed");
    }

    @Test
    void forgedCrossSitePostsAreRefusedWith403AndChangeNothing() throws Exception {
        HttpClient fresh = newHttp();
        assertEquals(302, login(fresh, ADMIN_USER, ADMIN_PASSWORD).statusCode());
        String token = csrfToken(fresh);
        assertTrue(token.length() >= 40, "a 32-byte token: " + token.length());
        String own = https.toLowerCase();
        // Sign-out without the token, with a wrong one, and with the right one but from another site.
        assertEquals(403, post(fresh, "/admin/logout", "", Map.of()).statusCode(), "no token");
        assertEquals(403, post(fresh, "/admin/logout", "csrf=" + token.substring(1) + "A", Map.of()).statusCode(),
                "wrong token");
        assertEquals(403, post(fresh, "/admin/logout", "csrf=" + token,
                Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")).statusCode(), "cross-site");
        assertEquals(403, post(fresh, "/admin/logout", "csrf=" + token, Map.of("Sec-Fetch-Site", "same-site"))
                .statusCode(), "a sibling subdomain is another origin");
        assertEquals(200, send(fresh, "/admin/api/stats", "GET", null).statusCode(), "the session survived all four");
        assertTrue(token.equals(csrfToken(fresh)), "the token is the session's, unchanged"); // never printed

        // A login forged from another site is refused even with the right password, and opens no session.
        String form = loginForm(ADMIN_USER, ADMIN_PASSWORD);
        for (Map<String, String> headers : List.of(Map.of("Origin", "https://evil.example"), Map.of("Origin", "null"),
                Map.of("Sec-Fetch-Site", "cross-site"), Map.of("Origin", own, "Sec-Fetch-Site", "cross-site"))) {
            HttpClient victim = newHttp();
            HttpResponse<String> r = post(victim, "/admin/login", form, headers);
            assertEquals(403, r.statusCode(), "login with " + headers);
            assertTrue(r.headers().allValues("Set-Cookie").isEmpty(), "no session for " + headers);
            assertEquals(401, send(victim, "/admin/api/stats", "GET", null).statusCode());
        }
        // What Chromium sends from the relay's own login page: under Referrer-Policy no-referrer its
        // form POST says "Origin: null", and Sec-Fetch-Site decides.
        HttpClient browserLike = newHttp();
        assertEquals(302, post(browserLike, "/admin/login", form, Map.of("Origin", "null", "Sec-Fetch-Site", "same-origin"))
                .statusCode(), "the relay's own login page is accepted");
        logout(browserLike);

        HttpResponse<String> out = post(fresh, "/admin/logout", "csrf=" + token, Map.of("Origin", own));
        assertEquals(302, out.statusCode(), "sign-out with the session's token");
        assertEquals(401, send(fresh, "/admin/api/stats", "GET", null).statusCode(), "signed out");
    }

    @Test
    void repeatedFailedLoginsAreThrottledWith429EvenForTheRightPasswordAndCounted() throws Exception {
        HttpClient fresh = newHttp();
        Duration lock = Duration.ofSeconds(1); // LoginThrottle.BASE_DELAY, after the fifth failure in a row
        boolean refused = false;
        double failures0 = 0;
        double throttled0 = 0;
        // A round whose correct attempt came later than the lock-out (a loaded machine) proves
        // nothing either way; it is repeated, at most three times.
        for (int round = 0; round < 3 && !refused; round++) {
            failures0 = RelayTestDeployment.metric("relay_admin_login_failures_total");
            throttled0 = RelayTestDeployment.metric("relay_admin_login_throttled_total");
            for (int i = 1; i <= 5; i++) {
                HttpResponse<String> wrong = login(fresh, ADMIN_USER, "wrong password " + i);
                assertEquals(302, wrong.statusCode(), "failure " + i + " is answered, not throttled");
                assertTrue(wrong.headers().firstValue("Location").orElse("").contains("failed"));
            }
            long fifth = System.nanoTime();
            HttpResponse<String> right = login(fresh, ADMIN_USER, ADMIN_PASSWORD);
            long elapsed = System.nanoTime() - fifth;
            if (right.statusCode() == 429) {
                refused = true;
                assertEquals("1", right.headers().firstValue("Retry-After").orElse(""), "Retry-After in seconds");
                assertTrue(right.body().contains("try again"), right.body());
                assertTrue(right.headers().allValues("Set-Cookie").isEmpty(), "no session while locked out");
            } else {
                assertTrue(elapsed >= lock.toNanos(), "the right password " + elapsed / 1_000_000
                        + " ms after the fifth failure was let through: " + right.statusCode());
            }
        }
        assertTrue(refused, "three rounds, each slower than the lock-out");
        assertEquals(failures0 + 5, RelayTestDeployment.metric("relay_admin_login_failures_total"),
                "relay_admin_login_failures_total");
        assertEquals(throttled0 + 1, RelayTestDeployment.metric("relay_admin_login_throttled_total"),
                "relay_admin_login_throttled_total");

        // Once the lock-out is over the right password works, and that success starts the count again.
        HttpResponse<String>[] last = new HttpResponse[1];
        HeadlessChromium.waitFor(WAIT, () -> {
            try {
                last[0] = login(fresh, ADMIN_USER, ADMIN_PASSWORD);
                return last[0].statusCode() != 429;
            } catch (Exception e) {
                return false;
            }
        }, "the lock-out ends");
        assertEquals(302, last[0].statusCode());
        assertTrue(last[0].headers().firstValue("Location").orElse("").endsWith("/admin/"), "logged in");
        logout(fresh);
        HttpResponse<String> again = login(fresh, ADMIN_USER, "wrong password");
        assertEquals(302, again.statusCode(), "one failure after a success is not throttled");
        assertEquals(302, login(fresh, ADMIN_USER, ADMIN_PASSWORD).statusCode());
        logout(fresh);
    }

    /** The console in a real headless Chromium: login, figures that move with traffic, a screenshot. */
    @Test
    void theAdminConsoleInHeadlessChromiumShowsLiveFigures() throws Exception {
        if (!HeadlessChromium.installed()) {
            Assumptions.assumeFalse(!CI, "chromium and chromium-driver are not installed"
                    + " (apt-get install chromium chromium-driver); skipping the browser test");
            throw new AssertionError("CI=true but chromium/chromedriver are missing: .ci/run installs them");
        }
        Path target = Path.of(System.getProperty("relay.war")).getParent();
        Path png = target.resolve("admin-console.png");
        Files.deleteIfExists(png);
        AtomicBoolean traffic = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<TestRelayClient> clients = new ArrayList<>();
        try (HeadlessChromium browser = new HeadlessChromium(target.resolve("chromedriver.log"))) {
            browser.open(https + "/admin/");
            HeadlessChromium.waitFor(WAIT, () -> urlEndsWith(browser, "/admin/login.html"), "redirect to the login page");
            browser.type("#user", ADMIN_USER);
            browser.type("#password", ADMIN_PASSWORD);
            browser.click("#login");
            HeadlessChromium.waitFor(WAIT, () -> urlEndsWith(browser, "/admin/"), "the dashboard after login");
            browser.awaitText("#status", s -> s.startsWith("live"), WAIT, "first poll");
            // The cookie as the browser stored it from the real Set-Cookie header.
            Matcher jar = Pattern.compile("\\{[^{}]*\"name\":\"JSESSIONID\"[^{}]*\\}").matcher(browser.cookies());
            assertTrue(jar.find(), "the browser holds the session cookie");
            String stored = jar.group().replaceAll("\"value\":\"[^\"]*\"", "\"value\":\"…\"");
            System.out.println("session cookie in Chromium: " + stored);
            for (String attribute : new String[] {"\"httpOnly\":true", "\"secure\":true", "\"sameSite\":\"Strict\"",
                    "\"path\":\"/admin\""}) {
                assertTrue(stored.contains(attribute), attribute + " in " + stored);
            }
            long framesBefore = number(browser.text("#frames"));

            // Traffic: three pairs exchanging frames until the page has shown it.
            for (int i = 0; i < 6; i++) {
                clients.add(TestRelayClient.connect(client, relay, RANDOM));
            }
            List<Future<?>> senders = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                TestRelayClient a = clients.get(2 * p);
                TestRelayClient b = clients.get(2 * p + 1);
                senders.add(pool.submit(() -> pingPong(a, b, traffic)));
            }
            browser.awaitText("#connections", s -> number(s) >= 6, WAIT, "connections shown");
            browser.awaitText("#frames", s -> number(s) > framesBefore + 500, WAIT, "frames relayed shown");
            browser.awaitText("#fps", s -> parse(s) > 0, WAIT, "frames/s above zero");
            browser.awaitText("#pairs", s -> s.contains(clients.get(0).id.shortForm()), WAIT, "active pair listed");
            String pairs = browser.text("#pairs");
            assertFalse(pairs.contains(clients.get(0).id.toHex()), "only short session IDs: " + pairs);
            String fps = browser.awaitText("#fps", s -> parse(s) > 0, WAIT, "frames/s");
            long shownFrames = number(browser.text("#frames"));
            // A few more seconds of chart, waiting on the page's own clock (its "updated" line).
            for (int i = 0; i < 5; i++) {
                String status = browser.text("#status");
                browser.awaitText("#status", s -> !s.equals(status), WAIT, "next poll");
            }
            String painted = browser.execute("var c = document.getElementById('chart');"
                    + " var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;"
                    + " for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) n++; } return String(n);");
            assertTrue(Long.parseLong(painted) > 5_000, "the chart is drawn: " + painted + " painted pixels");
            browser.screenshot(png);
            System.out.printf("admin console: %s frames/s, %d frames relayed shown, connections %s, heap %s,"
                    + " threads %s; screenshot %s%n", fps, shownFrames, browser.text("#connections"),
                    browser.text("#heap"), browser.text("#threads"), png);
            traffic.set(false);
            for (Future<?> f : senders) {
                f.get(30, TimeUnit.SECONDS);
            }

            // Signing out (the form carries the session's anti-CSRF token) ends the session: the
            // browser drops the cookie and the API refuses again.
            HeadlessChromium.waitFor(WAIT, () -> {
                try {
                    return browser.execute("return document.getElementById('csrf').value;").length() >= 40;
                } catch (IOException e) {
                    return false;
                }
            }, "the sign-out form has its token");
            browser.click("button.link");
            HeadlessChromium.waitFor(WAIT, () -> urlEndsWith(browser, "/admin/login.html"), "signed out");
            assertFalse(browser.cookies().contains("\"JSESSIONID\""), "the cookie is deleted at sign-out");
            browser.open(https + "/admin/api/stats");
            assertTrue(browser.text("body").contains("login required"));

            // Under the CSP (no inline script or style) nothing of the pages was refused.
            String log = browser.browserLog();
            Matcher entry = Pattern.compile("\"message\":\"((?:[^\"\\\\]|\\\\.){0,160})").matcher(log);
            while (entry.find()) {
                System.out.println("browser console: " + entry.group(1));
            }
            assertFalse(log.contains("Content Security Policy") || log.contains("Content-Security-Policy"),
                    "a CSP violation in the browser console: " + log);
            assertTrue(log.contains("\"value\":["), "chromedriver answered with the log: " + log);
        } finally {
            traffic.set(false);
            pool.shutdownNow();
            for (TestRelayClient c : clients) {
                c.close();
            }
        }
        assertTrue(Files.size(png) > 10_000, "screenshot written");
    }

    /** sslscan against the TLS listener: TLS 1.2 and 1.3 only, AEAD suites only, the project's certificate. */
    @Test
    void sslscanFindsOnlyTls12And13WithAeadSuitesAndTheProjectsCertificate() throws Exception {
        Path sslscan = Path.of("/usr/bin/sslscan");
        if (!Files.isExecutable(sslscan)) {
            Assumptions.assumeFalse(!CI, "sslscan is not installed (apt-get install sslscan); skipping the TLS scan");
            throw new AssertionError("CI=true but sslscan is missing: .ci/run installs it");
        }
        Process p = new ProcessBuilder(sslscan.toString(), "--no-colour", "--no-heartbleed",
                "localhost:" + System.getProperty("relay.test.sslport")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "sslscan finished");
        System.out.println(out);
        Matcher proto = Pattern.compile("^(SSLv2|SSLv3|TLSv1\\.[0-3])\\s+(enabled|disabled)", Pattern.MULTILINE).matcher(out);
        List<String> enabled = new ArrayList<>();
        while (proto.find()) {
            if (proto.group(2).equals("enabled")) {
                enabled.add(proto.group(1));
            }
        }
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), enabled, "enabled protocols");
        Matcher cipher = Pattern.compile("^(?:Preferred|Accepted)\\s+(\\S+)\\s+\\d+\\s+bits\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(out);
        int ciphers = 0;
        while (cipher.find()) {
            ciphers++;
            String name = cipher.group(2);
            assertTrue(name.contains("GCM") || name.contains("CHACHA20"), "a non-AEAD suite: " + cipher.group(0));
            assertTrue(cipher.group(1).equals("TLSv1.2") || cipher.group(1).equals("TLSv1.3"), cipher.group(0));
        }
        assertTrue(ciphers >= 3, "accepted suites found in the scan: " + ciphers);
        Matcher subject = Pattern.compile("^Subject:\\s+(.+)$", Pattern.MULTILINE).matcher(out);
        Matcher issuer = Pattern.compile("^Issuer:\\s+(.+)$", Pattern.MULTILINE).matcher(out);
        assertTrue(subject.find() && issuer.find(), "certificate subject and issuer in the scan");
        assertEquals("localhost", subject.group(1).trim());
        assertEquals("secure-relay development CA", issuer.group(1).trim());
    }

    private static Void pingPong(TestRelayClient a, TestRelayClient b, AtomicBoolean go) throws Exception {
        byte[] payload = new byte[2048];
        while (go.get()) {
            for (int i = 0; i < 20; i++) {
                a.send(b.id, payload);
                b.send(a.id, payload);
            }
            for (int i = 0; i < 20; i++) {
                b.next();
                a.next();
            }
        }
        return null;
    }

    private static boolean urlEndsWith(HeadlessChromium browser, String suffix) {
        try {
            return browser.currentUrl().endsWith(suffix);
        } catch (IOException e) {
            return false;
        }
    }

    private static long number(String shown) {
        String digits = shown.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    private static double parse(String shown) {
        try {
            return Double.parseDouble(shown.replace(",", "").trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static HttpResponse<String> login(HttpClient c, String user, String password) throws Exception {
        return post(c, "/admin/login", loginForm(user, password), Map.of());
    }

    private static String loginForm(String user, String password) {
        return "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
    }

    /** Signs out with the session's anti-CSRF token. */
    private static HttpResponse<String> logout(HttpClient c) throws Exception {
        HttpResponse<String> r = post(c, "/admin/logout", "csrf=" + csrfToken(c), Map.of());
        assertEquals(302, r.statusCode(), "sign-out: " + r.body());
        return r;
    }

    private static String csrfToken(HttpClient c) throws Exception {
        HttpResponse<String> r = send(c, "/admin/api/session", "GET", null);
        assertEquals(200, r.statusCode(), r.body());
        Matcher m = Pattern.compile("\"csrf\":\"([A-Za-z0-9_-]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return m.group(1);
    }

    private static HttpResponse<String> post(HttpClient c, String path, String form, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(https + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        headers.forEach(b::header);
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpClient c, String path, String method, String body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(https + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertSecurityHeaders(HttpResponse<?> r, boolean tls, String what) {
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertEquals(CSP, csp, what + ": Content-Security-Policy (answer " + r.statusCode() + ", headers "
                + r.headers().map().keySet() + ")");
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), what);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), what + ": nosniff");
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""), what + ": Referrer-Policy");
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""), what + ": X-Frame-Options");
        assertEquals(tls ? "max-age=31536000" : "", r.headers().firstValue("Strict-Transport-Security").orElse(""),
                what + ": Strict-Transport-Security " + (tls ? "on the TLS port" : "not on the HTTP port"));
    }

    /** The pages hold no inline script, style or event handler (the CSP would refuse them). */
    private static void assertNoStyleOrScriptInline(String html, String page) {
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                page + ": inline <script>");
        assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=|javascript:", Pattern.CASE_INSENSITIVE)
                .matcher(html).find(), page + ": inline style or handler");
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(https + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    private static String getQuietly(String path) {
        try {
            return get(path);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    /** The value of the Prometheus sample {@code name} whose labels contain {@code label}; 0 if absent. */
    static double metric(String text, String name, String label) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})?\\s+([0-9.Ee+-]+)", Pattern.MULTILINE)
                .matcher(text);
        while (m.find()) {
            if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}

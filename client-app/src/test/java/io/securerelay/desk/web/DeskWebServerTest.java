package io.securerelay.desk.web;

import io.securerelay.testkit.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.desk.CustomerView;
import io.securerelay.desk.DeskException;
import io.securerelay.desk.MessageView;
import io.securerelay.desk.web.internal.LoginThrottle;
import io.securerelay.desk.web.internal.Public;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The desk's REST API on a real {@link DeskWebServer} (loopback, free port) over an {@link InMemoryDesk}. */
class DeskWebServerTest {
    static final String TOKEN = "test-token-0123456789-abcdefghijklmnop";
    private static final Instant START = Instant.parse("2026-12-04T09:00:00Z");

    private static ManualClock clock;
    private static InMemoryDesk desk;
    private static DeskWebServer server;
    private static HttpClient http;
    private static CustomerView alice;
    private static CustomerView bob;

    @BeforeAll
    static void start() throws IOException {
        clock = new ManualClock(START);
        desk = new InMemoryDesk(clock);
        alice = desk.addCustomer("Alice Martin", InMemoryDesk.fp('a'), "SECURE", START.minusSeconds(60));
        bob = desk.addCustomer("Bob Keller", InMemoryDesk.fp('c'), "OFFLINE", START.minusSeconds(3600));
        server = DeskWebServer.builder(desk, ApiToken.of(TOKEN)).port(0).clock(clock).random(new SecureRandom())
                .heartbeat(Duration.ofMillis(300)).start();
        // HTTP/1.1: with java.net.http's default (HTTP/2, which sends "Upgrade: h2c" over plain HTTP)
        // Grizzly 4.0.2 answers without Content-Type (docs/DESK-API.md, "Clients").
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void clean() {
        desk.failure = null;
        clock.advance(LoginThrottle.WINDOW.plusSeconds(1)); // a new throttle window for every test
    }

    // ---- helpers ----------------------------------------------------------------------------------

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(10));
    }

    static HttpRequest.Builder authed(String path) {
        return request(path).header("Authorization", "Bearer " + TOKEN);
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(authed(path).GET());
    }

    static HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return send(authed(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static JsonObject object(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    static JsonArray array(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readArray();
    }

    /** The answer is an RFC 9457 problem document with this status and type suffix. */
    static JsonObject assertProblem(HttpResponse<String> r, int status, String kind) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        JsonObject p = object(r);
        assertEquals("urn:secure-relay:desk:problem:" + kind, p.getString("type"));
        assertEquals(status, p.getInt("status"));
        assertFalse(p.getString("title").isEmpty());
        assertFalse(p.getString("detail").isEmpty());
        assertTrue(p.getString("instance").startsWith("/"), p.toString());
        return p;
    }

    /** Every resource method (path and HTTP method) of the server's resource classes. */
    static List<String[]> resourceMethods() {
        List<String[]> out = new ArrayList<>();
        for (Class<?> c : DeskWebServer.RESOURCES) {
            String base = c.getAnnotation(Path.class).value();
            for (Method m : c.getMethods()) {
                String verb = Stream.of(m.getAnnotations()).map(a -> a.annotationType().getAnnotation(HttpMethod.class))
                        .filter(h -> h != null).map(HttpMethod::value).findFirst().orElse(null);
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String path = ("/" + base + (sub == null ? "" : "/" + sub.value())).replaceAll("/+", "/");
                path = path.replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}");
                if (path.length() > 1 && path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                boolean open = m.isAnnotationPresent(Public.class) || c.isAnnotationPresent(Public.class);
                out.add(new String[] {verb, path, open ? "public" : "auth"});
            }
        }
        return out;
    }

    // ---- authentication ---------------------------------------------------------------------------

    @Test
    void everyResourceMethodWithoutCredentialsIs401() throws Exception {
        int checked = 0;
        for (String[] rm : resourceMethods()) {
            if (rm[2].equals("public")) {
                continue;
            }
            String path = rm[1].replace("{id}", Long.toString(alice.id())).replace("{cursor}", "1");
            HttpRequest.BodyPublisher body = rm[0].equals("GET") || rm[0].equals("DELETE")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
            HttpResponse<String> r = send(request(path).header("Content-Type", "application/json").method(rm[0], body));
            JsonObject p = assertProblem(r, 401, "unauthenticated");
            assertEquals(path, p.getString("instance"));
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer realm="), rm[1]);
            checked++;
        }
        assertTrue(checked >= 12, "resource methods checked: " + checked);
        assertEquals(0, desk.sentTexts().size(), "nothing was sent without credentials");
    }

    @Test
    void aWrongTokenIs401InvalidToken() throws Exception {
        HttpResponse<String> r = send(request("/api/v1/status").header("Authorization", "Bearer " + TOKEN + "x"));
        assertProblem(r, 401, "unauthenticated");
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"invalid_token\""));
        assertProblem(send(request("/api/v1/status").header("Authorization", "Basic " + TOKEN)), 401, "unauthenticated");
        assertFalse(r.body().contains(TOKEN));
    }

    @Test
    void wrongTokensAreThrottledThenForgottenAfterTheWindow() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertEquals(401, login("wrong-token-" + i + "-0123456789abcdef").statusCode());
        }
        HttpResponse<String> r = login(TOKEN);
        assertProblem(r, 429, "too-many-attempts");
        assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) > 0);
        assertProblem(get("/api/v1/status"), 429, "too-many-attempts");
        clock.advance(LoginThrottle.WINDOW.plusSeconds(1));
        assertEquals(204, login(TOKEN).statusCode());
        assertEquals(200, get("/api/v1/status").statusCode());
    }

    static HttpResponse<String> login(String token) throws IOException, InterruptedException {
        return send(request("/api/v1/session").header("Content-Type", "application/json").header("X-Desk-Request", "1")
                .POST(HttpRequest.BodyPublishers.ofString(Json.createObjectBuilder().add("token", token).build().toString())));
    }

    static String sessionCookie() throws IOException, InterruptedException {
        HttpResponse<String> r = login(TOKEN);
        assertEquals(204, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("desk_session="), setCookie);
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        assertTrue(setCookie.contains("Path=/"), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain HTTP on loopback: no Secure flag: " + setCookie);
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void theLoginSetsASessionCookieThatAuthenticatesAndCsrfIsChecked() throws Exception {
        assertProblem(login("not-the-token-0123456789abcdef"), 401, "unauthenticated");
        HttpResponse<String> noHeader = send(request("/api/v1/session").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + TOKEN + "\"}")));
        assertProblem(noHeader, 403, "forbidden");
        assertTrue(noHeader.headers().firstValue("Set-Cookie").isEmpty());

        String cookie = sessionCookie();
        assertEquals(200, send(request("/api/v1/customers").header("Cookie", cookie)).statusCode());

        String text = "{\"text\":\"cookie reply\"}";
        String path = "/api/v1/customers/" + bob.id() + "/messages";
        HttpResponse<String> noCsrf = send(request(path).header("Cookie", cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
        assertProblem(noCsrf, 403, "forbidden");
        HttpResponse<String> foreign = send(request(path).header("Cookie", cookie).header("X-Desk-Request", "1")
                .header("Origin", "http://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
        assertProblem(foreign, 403, "forbidden");
        HttpResponse<String> crossSite = send(request(path).header("Cookie", cookie).header("X-Desk-Request", "1")
                .header("Sec-Fetch-Site", "cross-site").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
        assertProblem(crossSite, 403, "forbidden");
        assertFalse(desk.sentTexts().contains("cookie reply"));

        String origin = "http://" + server.uri().getHost() + ":" + server.port();
        HttpResponse<String> ok = send(request(path).header("Cookie", cookie).header("X-Desk-Request", "1")
                .header("Origin", origin).header("Sec-Fetch-Site", "same-origin").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
        assertEquals(201, ok.statusCode(), ok.body());
        assertTrue(desk.sentTexts().contains("cookie reply"));

        HttpResponse<String> out = send(request("/api/v1/session").header("Cookie", cookie).header("X-Desk-Request", "1").DELETE());
        assertEquals(204, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertProblem(send(request("/api/v1/customers").header("Cookie", cookie)), 401, "unauthenticated");
        assertProblem(send(request("/api/v1/customers").header("Cookie", "desk_session=" + "A".repeat(43))), 401,
                "unauthenticated");
    }

    @Test
    void anExpiredSessionNoLongerAuthenticates() throws Exception {
        String cookie = sessionCookie();
        assertEquals(200, send(request("/api/v1/status").header("Cookie", cookie)).statusCode());
        clock.advance(Duration.ofHours(8).plusSeconds(1));
        assertProblem(send(request("/api/v1/status").header("Cookie", cookie)), 401, "unauthenticated");
    }

    // ---- resources --------------------------------------------------------------------------------

    @Test
    void status() throws Exception {
        HttpResponse<String> r = get("/api/v1/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        JsonObject s = object(r);
        assertEquals(InMemoryDesk.BANK_ID, s.getString("bankSessionId"));
        assertEquals("CONNECTED", s.getString("connection"));
        assertTrue(s.getInt("customers") >= 2);
    }

    @Test
    void customersAndOneCustomerWithIsoInstants() throws Exception {
        JsonArray list = array(get("/api/v1/customers"));
        assertTrue(list.size() >= 2);
        JsonObject a = object(get("/api/v1/customers/" + alice.id()));
        assertEquals("Alice Martin", a.getString("label"));
        assertEquals(InMemoryDesk.fp('a'), a.getString("fingerprint"));
        assertEquals(alice.firstSeen(), Instant.parse(a.getString("firstSeen")), "ISO-8601 instants");
        assertEquals(JsonValue.NULL, a.get("presentedFingerprint"), "nulls are written out");
        assertProblem(get("/api/v1/customers/999999"), 404, "not-found");
        assertProblem(get("/api/v1/customers/abc"), 404, "not-found");
    }

    @Test
    void messagesSinceACursorWithALimit() throws Exception {
        CustomerView c = desk.addCustomer("Carla Paging", InMemoryDesk.fp('d'), "SECURE", START);
        List<MessageView> got = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            got.add(desk.receive(c.id(), "question " + i, START.plusSeconds(i)));
        }
        String base = "/api/v1/customers/" + c.id() + "/messages";
        assertEquals(5, array(get(base)).size());
        JsonArray page = array(get(base + "?after=" + got.get(1).cursor() + "&limit=2"));
        assertEquals(2, page.size());
        assertEquals(got.get(2).cursor(), page.getJsonObject(0).getJsonNumber("cursor").longValue());
        assertEquals("question 4", page.getJsonObject(1).getString("text"));
        assertEquals("IN", page.getJsonObject(1).getString("direction"));
        assertEquals(START.plusSeconds(4), Instant.parse(page.getJsonObject(1).getString("sentAt")));
        assertProblem(get(base + "?limit=0"), 400, "bad-request");
        assertProblem(get(base + "?limit=1001"), 400, "bad-request");
        assertProblem(get(base + "?after=x"), 400, "bad-request");
        assertProblem(get(base + "?after=-1"), 400, "bad-request");
        assertProblem(get("/api/v1/customers/424242/messages"), 404, "not-found");
        assertEquals("question 3", object(get(base + "/" + got.get(2).cursor())).getString("text"));
        assertProblem(get(base + "/" + (got.get(4).cursor() + 100)), 404, "not-found");
    }

    @Test
    void sendAnswers201WithLocationAndTheDeskGetsTheText() throws Exception {
        HttpResponse<String> r = postJson("/api/v1/customers/" + alice.id() + "/messages", "{\"text\":\"Your card is on its way.\\nRegards\"}");
        assertEquals(201, r.statusCode(), r.body());
        JsonObject m = object(r);
        assertEquals("OUT", m.getString("direction"));
        assertEquals("QUEUED", m.getString("state"));
        assertEquals("Your card is on its way.\nRegards", m.getString("text"));
        assertTrue(desk.sentTexts().contains("Your card is on its way.\nRegards"));
        URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
        assertEquals("/api/v1/customers/" + alice.id() + "/messages/" + m.getJsonNumber("cursor").longValue(), location.getPath());
        assertEquals(m, object(send(authed(location.toString()).GET())));
    }

    @Test
    void sendRefusalsAreProblems() throws Exception {
        String path = "/api/v1/customers/" + bob.id() + "/messages";
        assertProblem(postJson(path, "{\"text\":\"\"}"), 400, "bad-request");
        assertProblem(postJson(path, "{}"), 400, "bad-request");
        assertProblem(postJson(path, "{\"text\": \"unterminated"), 400, "bad-request");
        assertProblem(postJson(path, "[1,2"), 400, "bad-request");
        assertProblem(postJson(path, "{\"text\":\"" + "x".repeat(16 * 1024 + 1) + "\"}"), 400, "bad-request");
        assertProblem(postJson(path, "{\"text\":\"" + "x".repeat(70_000) + "\"}"), 413, "too-large");
        assertProblem(send(authed(path).header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hi"))),
                415, "unsupported-media-type");
        assertProblem(postJson("/api/v1/customers/77777/messages", "{\"text\":\"hello\"}"), 404, "not-found");
        CustomerView blocked = desk.addCustomer("Dora Blocked", InMemoryDesk.fp('e'), "SECURE", START);
        desk.keyChanged(blocked.id(), InMemoryDesk.fp('f'));
        JsonObject p = assertProblem(postJson("/api/v1/customers/" + blocked.id() + "/messages", "{\"text\":\"hello\"}"),
                409, "conflict");
        assertTrue(p.getString("detail").contains("re-trust"), p.toString());
        assertFalse(desk.sentTexts().contains("hello"));
    }

    @Test
    void markRead() throws Exception {
        CustomerView c = desk.addCustomer("Eve Reader", InMemoryDesk.fp('1'), "SECURE", START);
        MessageView m = desk.receive(c.id(), "read me", START);
        assertEquals(1, object(get("/api/v1/customers/" + c.id())).getInt("unread"));
        HttpResponse<String> r = postJson("/api/v1/customers/" + c.id() + "/read", "{\"cursor\":" + m.cursor() + "}");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(0, object(get("/api/v1/customers/" + c.id())).getInt("unread"));
        assertEquals("READ", array(get("/api/v1/customers/" + c.id() + "/messages")).getJsonObject(0).getString("state"));
        assertProblem(postJson("/api/v1/customers/" + c.id() + "/read", "{}"), 400, "bad-request");
        assertProblem(postJson("/api/v1/customers/31337/read", "{\"cursor\":1}"), 404, "not-found");
    }

    @Test
    void retrustNeedsTheFingerprintTheAgentChecked() throws Exception {
        CustomerView c = desk.addCustomer("Frank Newkey", InMemoryDesk.fp('2'), "SECURE", START);
        String presented = InMemoryDesk.fp('3');
        desk.keyChanged(c.id(), presented);
        String path = "/api/v1/customers/" + c.id() + "/retrust";
        assertProblem(postJson(path, "{\"fingerprint\":\"" + InMemoryDesk.fp('4') + "\"}"), 409, "conflict");
        assertProblem(postJson(path, "{}"), 400, "bad-request");
        HttpResponse<String> r = postJson(path, "{\"fingerprint\":\"" + presented + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("TRUSTED", object(r).getString("status"));
        assertEquals(presented, object(r).getString("fingerprint"));
        assertProblem(postJson(path, "{\"fingerprint\":\"" + presented + "\"}"), 409, "conflict");
    }

    @Test
    void renameWithPatch() throws Exception {
        CustomerView c = desk.addCustomer("unnamed", InMemoryDesk.fp('5'), "OFFLINE", null);
        HttpResponse<String> r = send(authed("/api/v1/customers/" + c.id()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"label\":\"Grace Hopper\"}")));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Grace Hopper", object(r).getString("label"));
        assertEquals("Grace Hopper", desk.customer(c.id()).label());
        assertProblem(send(authed("/api/v1/customers/" + c.id()).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"label\":\"  \"}"))), 400, "bad-request");
        assertProblem(send(authed("/api/v1/customers/" + c.id()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))), 400, "bad-request");
    }

    @Test
    void registerFromAPublicIdentityKeyFile() throws Exception {
        String fp = InMemoryDesk.fp('9');
        JsonObject file = Json.createObjectBuilder().add("role", "customer")
                .add("public_key", "-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----\n").add("fingerprint", fp).build();
        String body = Json.createObjectBuilder().add("label", "Heidi Registered").add("publicIdentityKey", file).build().toString();
        HttpResponse<String> r = postJson("/api/v1/customers", body);
        assertEquals(201, r.statusCode(), r.body());
        JsonObject c = object(r);
        assertEquals("Heidi Registered", c.getString("label"));
        assertEquals(fp, c.getString("fingerprint"));
        assertTrue(r.headers().firstValue("Location").orElseThrow().endsWith("/api/v1/customers/" + c.getJsonNumber("id")));
        assertProblem(postJson("/api/v1/customers", body), 409, "conflict");
        assertProblem(postJson("/api/v1/customers", "{\"label\":\"x\",\"publicIdentityKey\":{\"role\":\"customer\"}}"), 400,
                "bad-request");
        assertProblem(postJson("/api/v1/customers", "{\"label\":\"x\"}"), 400, "bad-request");
        assertProblem(postJson("/api/v1/customers", "{\"label\":\"x\",\"publicIdentityKey\":\"text\"}"), 400, "bad-request");
    }

    // ---- errors -----------------------------------------------------------------------------------

    @Test
    void unknownPathAndWrongMethod() throws Exception {
        assertProblem(get("/api/v1/nothing-here"), 404, "not-found");
        assertProblem(send(request("/no/such/page")), 404, "not-found");
        HttpResponse<String> r = send(authed("/api/v1/status").DELETE());
        assertProblem(r, 405, "method-not-allowed");
        assertTrue(r.headers().firstValue("Allow").orElse("").contains("GET"), r.headers().map().toString());
        assertProblem(send(authed("/api/v1/customers/" + alice.id() + "/read").GET()), 405, "method-not-allowed");
    }

    @Test
    void unavailableIs503() throws Exception {
        desk.failure = new DeskException(DeskException.Kind.UNAVAILABLE, "The database is not reachable.");
        HttpResponse<String> r = get("/api/v1/status");
        JsonObject p = assertProblem(r, 503, "unavailable");
        assertEquals("The database is not reachable.", p.getString("detail"));
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void aBugIs500WithAGenericDetailAndNothingSecretInTheLog() throws Exception {
        List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.securerelay.desk.web");
        logger.addHandler(capture);
        try {
            desk.failure = new IllegalStateException("secret text of a customer's message");
            HttpResponse<String> r = get("/api/v1/customers");
            JsonObject p = assertProblem(r, 500, "server-error");
            assertFalse(r.body().contains("secret"), r.body());
            assertFalse(r.body().contains("IllegalStateException"), r.body());
            assertFalse(r.body().contains("at io."), r.body());
            assertTrue(p.getString("detail").contains("incident"));
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, records.stream().filter(l -> l.getLevel() == java.util.logging.Level.WARNING).count(), records.toString());
        for (LogRecord l : records) {
            String formatted = new java.util.logging.SimpleFormatter().formatMessage(l);
            assertFalse(formatted.contains("secret"), formatted);
            assertFalse(formatted.contains(TOKEN), formatted);
            assertEquals(null, l.getThrown(), "no exception (and its message) in the log");
        }
    }

    // ---- headers, GUI, binding --------------------------------------------------------------------

    @Test
    void securityHeadersOnEveryAnswer() throws Exception {
        for (HttpResponse<String> r : List.of(get("/api/v1/status"), send(request("/desk/")), send(request("/nope")),
                send(request("/api/v1/status")))) {
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.startsWith("default-src 'self'"), r.uri() + ": " + csp);
            assertTrue(csp.contains("frame-ancestors 'none'"), csp);
            assertFalse(csp.contains("unsafe-inline"), csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), r.uri().toString());
            assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null));
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        }
    }

    @Test
    void theGuiIsServedWithoutLoginAndOnlyItsOwnFiles() throws Exception {
        HttpResponse<String> root = send(request("/"));
        assertEquals(303, root.statusCode());
        assertEquals("/desk/", URI.create(root.headers().firstValue("Location").orElseThrow()).getPath());
        HttpResponse<String> page = send(request("/desk/"));
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("/desk/desk.js"));
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "nothing from elsewhere");
        assertTrue(send(request("/desk/desk.css")).headers().firstValue("Content-Type").orElseThrow().startsWith("text/css"));
        String js = send(request("/desk/desk.js")).body();
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
            assertFalse(js.contains(sink), "text reaches the page through textContent only: " + sink);
        }
        assertProblem(send(request("/desk/..%2Fopenapi.json")), 404, "not-found");
        assertProblem(send(request("/desk/secret.txt")), 404, "not-found");
    }

    @Test
    void aNonLoopbackAddressIsRefusedUnlessAllowedAndOnTls() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeskWebServer.builder(desk, ApiToken.of(TOKEN)).bind("0.0.0.0").port(0).start());
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> DeskWebServer.builder(desk, ApiToken.of(TOKEN)).bind("0.0.0.0").allowNonLoopback(true).port(0).start());
        assertTrue(plain.getMessage().contains("plain HTTP on loopback only"), plain.getMessage());
    }

    // ---- events -----------------------------------------------------------------------------------

    @Test
    void serverSentEventsDeliverAPushedEventAndHeartbeats() throws Exception {
        assertSse(authed("/api/v1/events"));
    }

    @Test
    void theGuiGetsEventsWithItsCookie() throws Exception {
        assertSse(request("/api/v1/events").header("Cookie", sessionCookie()));
    }

    private static void assertSse(HttpRequest.Builder b) throws Exception {
        CustomerView c = desk.addCustomer("Ivan Live", InMemoryDesk.fp('6'), "SECURE", START);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(
                b.header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> r = response.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        Thread reader = new Thread(() -> r.body().forEach(lines::add), "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            assertEquals(": connected", awaitLine(lines, l -> l.startsWith(":")), "the first line is a comment");
            desk.receive(c.id(), "Is my transfer through?", START.plusSeconds(5));
            assertEquals("event: MESSAGE", awaitLine(lines, l -> l.startsWith("event:")));
            String data = awaitLine(lines, l -> l.startsWith("data:"));
            JsonObject e = Json.createReader(new StringReader(data.substring(5).strip())).readObject();
            assertEquals("MESSAGE", e.getString("type"));
            assertEquals(c.id(), e.getJsonNumber("customerId").longValue());
            assertEquals("Is my transfer through?", e.getJsonObject("message").getString("text"));
            assertEquals(1, e.getJsonObject("customer").getInt("unread"));
            assertEquals(START.plusSeconds(5), Instant.parse(e.getJsonObject("message").getString("sentAt")));
            assertEquals(": heartbeat", awaitLine(lines, l -> l.startsWith(": heartbeat")));
            desk.relay("RECONNECTING");
            assertEquals("event: CONNECTION", awaitLine(lines, l -> l.startsWith("event:")));
            assertEquals("RECONNECTING", Json.createReader(new StringReader(awaitLine(lines, l -> l.startsWith("data:"))
                    .substring(5).strip())).readObject().getJsonObject("status").getString("connection"));
        } finally {
            desk.relay("CONNECTED");
            r.body().close();
        }
    }

    private static String awaitLine(BlockingQueue<String> lines, java.util.function.Predicate<String> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertNotNull(line, "no matching SSE line within 10 s");
            if (p.test(line)) {
                return line;
            }
        }
    }
}

package io.securerelay.e2e;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bank desk as a real process ({@code java -jar client-app.jar desk}), and its REST API as the
 * back office calls it (bearer token, JSON). The token is given by the test through
 * {@code DESK_API_TOKEN}, so nothing is parsed out of the output but the ready line.
 */
final class DeskProcess extends LineProcess {

    static final Duration READY = Duration.ofMinutes(2);

    final String token;
    final int port;
    // HTTP/1.1: over plain HTTP the JDK client asks for an h2c upgrade, which Grizzly answers badly (docs/DESK-API.md).
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String sessionId;

    private DeskProcess(ProcessBuilder pb, String token, int port) throws IOException, InterruptedException {
        super("desk", pb);
        this.token = token;
        this.port = port;
        this.sessionId = await(l -> l.startsWith("session "), READY, "session ID").substring("session ".length());
        await(l -> l.startsWith("desk ready at "), READY, "'desk ready' line");
    }

    /** Starts a desk with its keys and database in {@code keyDir}, listening on {@code port} (0: a free one). */
    static DeskProcess start(Path keyDir, URI relay, String token, int port, String... extra)
            throws IOException, InterruptedException {
        int p = port != 0 ? port : freePort();
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("client.jar"), "desk",
                "--key-dir", keyDir.toString(), "--ca", Path.of(System.getProperty("certs.dir"), "ca.pem").toString(),
                "--relay", relay.toString(), "--listen", "127.0.0.1:" + p));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DESK_API_TOKEN", token);
        return new DeskProcess(pb, token, p);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The bank's session ID, as the desk printed it. */
    String sessionId() {
        return sessionId;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** SIGKILL, no shutdown hook: what a power cut or an OOM killer does to the process. */
    void kill() throws InterruptedException {
        process().destroyForcibly();
        process().waitFor();
    }

    // ---- the REST API ------------------------------------------------------------------------

    JsonObject status() throws IOException, InterruptedException {
        return get("/api/v1/status").asJsonObject();
    }

    JsonArray customers() throws IOException, InterruptedException {
        return get("/api/v1/customers").asJsonArray();
    }

    JsonObject customer(long id) throws IOException, InterruptedException {
        return get("/api/v1/customers/" + id).asJsonObject();
    }

    /** The customer calling from {@code sessionId}, or null. */
    JsonObject customerBySession(String sessionId) throws IOException, InterruptedException {
        for (JsonValue v : customers()) {
            JsonObject c = v.asJsonObject();
            if (sessionId.equals(c.getString("sessionId", null))) {
                return c;
            }
        }
        return null;
    }

    /** Every message of the customer's conversation, paging through the cursor. */
    List<JsonObject> messages(long customerId) throws IOException, InterruptedException {
        List<JsonObject> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonArray page = get("/api/v1/customers/" + customerId + "/messages?after=" + after + "&limit=1000").asJsonArray();
            for (JsonValue v : page) {
                all.add(v.asJsonObject());
                after = v.asJsonObject().getJsonNumber("cursor").longValue();
            }
            if (page.size() < 1000) {
                return all;
            }
        }
    }

    /** Sends {@code text}; returns the HTTP status (201 once stored). */
    int send(long customerId, String text) throws IOException, InterruptedException {
        String body = Json.createObjectBuilder().add("text", text).build().toString();
        return request("POST", "/api/v1/customers/" + customerId + "/messages", body).statusCode();
    }

    HttpResponse<String> retrust(long customerId, String fingerprint) throws IOException, InterruptedException {
        String body = Json.createObjectBuilder().add("fingerprint", fingerprint).build().toString();
        return request("POST", "/api/v1/customers/" + customerId + "/retrust", body);
    }

    JsonValue get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = request("GET", path, null);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readValue();
        }
    }

    HttpResponse<String> request(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for {@code condition}, checking it every 100 ms, failing after {@code timeout} with {@code what}. */
    static void until(Duration timeout, String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        }
        throw new AssertionError("not within " + timeout + ": " + what + (last == null ? "" : " (last error: " + last + ")"));
    }

    /** A condition that may read over HTTP. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

}

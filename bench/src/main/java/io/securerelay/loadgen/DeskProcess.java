package io.securerelay.loadgen;

import io.securerelay.protocol.relay.SessionId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bank desk as its own process, as {@code ./secure-relay desk} starts it ({@code java -jar
 * client-app.jar desk}): a fresh key folder, its H2 file database there, one relay link, the REST
 * API on a loopback port with a random token (given in {@code DESK_API_TOKEN}, never printed).
 */
final class DeskProcess implements AutoCloseable {


    private final Process process;
    private final Path keyDir;
    private final URI api;
    private final String token;
    private final SessionId sessionId;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private DeskProcess(Process process, Path keyDir, URI api, String token, SessionId sessionId, Path log) {
        this.process = process;
        this.keyDir = keyDir;
        this.api = api;
        this.token = token;
        this.sessionId = sessionId;
        this.log = log;
    }

    /** Starts the desk against {@code relay} and waits for its "desk ready" line. */
    static DeskProcess start(Path root, Path work, URI relay, Duration timeout) throws IOException, InterruptedException {
        Path jar = root.resolve("client-app/target/client-app.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build client-app (./secure-relay bench builds it)");
        }
        Files.createDirectories(work);
        Path keyDir = Files.createTempDirectory(work, "desk-keys-");
        int port = Target.freePort();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(javaBin.toString(), "-jar", jar.toString(), "desk",
                "--key-dir", keyDir.toString(), "--ca", root.resolve("certs/generated/ca.pem").toString(),
                "--relay", relay.toString(), "--listen", "127.0.0.1:" + port));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("DESK_API_TOKEN", token);
        Path log = work.resolve("desk-" + port + ".out");
        Process p = pb.start();
        CompletableFuture<SessionId> ready = new CompletableFuture<>();
        SessionId[] session = {null};
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.startsWith("session ")) {
                        session[0] = SessionId.parse(line.substring("session ".length()).strip());
                    } else if (line.startsWith("desk ready at ") && session[0] != null) {
                        ready.complete(session[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
            }
            String exit;
            try {
                exit = p.waitFor(10, TimeUnit.SECONDS) ? "exit code " + p.exitValue() : "still running, output closed";
            } catch (InterruptedException e) {
                exit = "interrupted";
            }
            ready.completeExceptionally(new IllegalStateException("the desk exited before it was ready (" + exit
                    + "; command: " + String.join(" ", cmd) + "; see " + log + ")"));
        }, "log-desk");
        reader.setDaemon(true);
        reader.start();
        try {
            SessionId id = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new DeskProcess(p, keyDir, URI.create("http://127.0.0.1:" + port + "/"), token, id, log);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("the desk did not start in " + timeout.toSeconds() + " s (see " + log + ")", e);
        }
    }

    SessionId sessionId() {
        return sessionId;
    }

    Path log() {
        return log;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** {@code GET /api/v1/status}: the desk's own counts (JSON). */
    String status() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(api.resolve("api/v1/status")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/v1/status answered " + r.statusCode());
        }
        return r.body();
    }

    /** Size of the H2 database file (bytes). */
    long databaseBytes() throws IOException {
        Path db = keyDir.resolve("bank_desk/desk.mv.db");
        return Files.isRegularFile(db) ? Files.size(db) : -1;
    }

    /** Heap in use after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}), bytes. */
    long heapAfterGcBytes() throws IOException, InterruptedException {
        return JvmProbe.heapAfterGcBytes(process.pid(), "the desk");
    }

    /** Resident set size (Linux /proc), bytes. */
    long rssBytes() {
        return JvmProbe.rssBytes(process.pid(), "the desk");
    }

    /** How often the desk lost its relay connection (its log's "relay connection:" lines). */
    long relayDisconnects() throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("relay connection:")).count();
        }
    }

    /**
     * Stops the desk and deletes its key folder (its keys and a database of hundreds of MiB after
     * a run), unless {@code BENCH_KEEP_DESK} is set; the log stays.
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (System.getenv("BENCH_KEEP_DESK") == null) {
            try (var paths = Files.walk(keyDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // Left behind: it is under .run/bench/desk.
            }
        }
    }
}

package io.securerelay.desk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code client-app.jar} still starts the desk's Jersey server: Jersey finds HK2, JSON-B
 * (Yasson) and SSE through {@code META-INF/services}, which the shade plugin's ServicesResourceTransformer
 * merges; a lost entry shows here as a server that does not start or answers without JSON. The token
 * comes from {@code DESK_API_TOKEN}, as {@code ApiToken.load(Path, SecureRandom)} reads it.
 */
class ShadedJarDeskIT {
    @TempDir
    Path dir;

    @Test
    void theShadedJarServesTheApiAndTheGui() throws Exception {
        Path jar = Path.of(System.getProperty("client.jar", Path.of("target", "client-app.jar").toString()));
        assertTrue(Files.isRegularFile(jar), "run after package: " + jar.toAbsolutePath());
        Path tokenFile = dir.resolve("desk-api.token");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + java.io.File.pathSeparator + Path.of("target", "test-classes"),
                ShadedDeskMain.class.getName(), tokenFile.toString())
                .redirectError(dir.resolve("stderr.log").toFile());
        String token = "from-the-environment-" + Long.toHexString(System.nanoTime()) + "-0123456789";
        pb.environment().put(ApiToken.ENV, token);
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l; (l = out.readLine()) != null;) {
                        if (l.startsWith("DESK-WEB-URI ")) {
                            return l.substring(13);
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            String uri = line.get(60, TimeUnit.SECONDS);
            assertTrue(uri != null, "no URI printed; stderr: " + Files.readString(dir.resolve("stderr.log")));
            assertTrue(!Files.exists(tokenFile), "with " + ApiToken.ENV + " set no token file is made");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(uri).resolve("/api/v1/status"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, status.statusCode(), status.body());
            assertEquals("application/json", status.headers().firstValue("Content-Type").orElse(""));
            assertTrue(status.body().contains("\"bankSessionId\":\"" + InMemoryDesk.BANK_ID + "\""), status.body());
            HttpResponse<String> problem = http.send(HttpRequest.newBuilder(URI.create(uri).resolve("/api/v1/customers/1"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, problem.statusCode());
            assertEquals("application/problem+json", problem.headers().firstValue("Content-Type").orElse(""));
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(uri).resolve("/desk/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Bank desk"));
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr.log")));
    }
}

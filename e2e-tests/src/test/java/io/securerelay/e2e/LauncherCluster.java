package io.securerelay.e2e;

import io.securerelay.relay.testkit.TestTls;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local relay cluster exactly as a user starts it: {@code ./secure-relay cluster N}, one real
 * Payara Micro process per instance, on ports chosen for the test run
 * ({@code RELAY_CLUSTER_PORTS}), routing through the test's own Redis ({@code RELAY_REDIS_URI},
 * {@code RELAY_REDIS_PASSWORD_FILE}), so that clusters of concurrent builds never meet.
 */
final class LauncherCluster extends LineProcess {

    /** Two instances booting at once take 25 to 60 s each here. */
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);
    /** The admin console's password on every instance of a test cluster (test only). */
    static final String ADMIN_PASSWORD = "cluster-e2e-admin-password";
    /** {@link #ADMIN_PASSWORD} as relay.admin.password-hash: {@code echo cluster-e2e-admin-password | ./secure-relay admin-password}. */
    static final String ADMIN_PASSWORD_HASH = "scrypt$32768$8$1$XV2XA2BzQQLhJ7IVyHy7ew$UotPsjaO3sHOq66FVBhJOvJUvuu3QSDUKnYRGpF-D1Y";
    private static final Pattern READY = Pattern.compile("^relay ready at wss://localhost:(\\d+)/relay .*");

    /** One instance's ports. */
    record Instance(int port, int httpPort) {
        URI uri() {
            return URI.create("wss://localhost:" + port + "/relay");
        }
    }

    private final List<Instance> instances;
    private final Duration bootTime;
    private final HttpClient http = HttpClient.newHttpClient();

    private LauncherCluster(ProcessBuilder pb, List<Instance> instances) throws IOException, InterruptedException {
        super("cluster", pb);
        this.instances = List.copyOf(instances);
        long start = System.nanoTime();
        Set<Integer> ready = new HashSet<>();
        while (ready.size() < instances.size()) {
            String line = await(l -> READY.matcher(l).matches(), BOOT_TIMEOUT, "'relay ready' line of every instance");
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                ready.add(Integer.parseInt(m.group(1)));
            }
        }
        this.bootTime = Duration.ofNanos(System.nanoTime() - start);
    }

    /** Starts {@code ./secure-relay cluster N} with the given instances' ports on {@code redis}, and waits until all are ready. */
    static LauncherCluster start(List<Instance> instances, LauncherRedis redis) throws IOException, InterruptedException {
        return new LauncherCluster(builder(instances, Map.of("RELAY_REDIS_URI", redis.uri(),
                "RELAY_REDIS_PASSWORD_FILE", redis.passwordFile().toString())), instances);
    }

    /**
     * {@code ./secure-relay cluster 1} on {@code instance}'s ports with the Redis settings in
     * {@code env}, for a relay expected to refuse to start: its whole output once it exited (at
     * most {@link #BOOT_TIMEOUT}).
     */
    static String refusedStart(Instance instance, Map<String, String> env) throws IOException, InterruptedException {
        try (LineProcess p = new LineProcess("cluster-" + instance.port(), builder(List.of(instance), env))) {
            if (!p.process().waitFor(BOOT_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("the launcher did not exit within " + BOOT_TIMEOUT + ":\n" + p.transcript());
            }
            p.awaitOutputEnd(Duration.ofSeconds(30));
            return p.transcript();
        }
    }

    private static ProcessBuilder builder(List<Instance> instances, Map<String, String> env) throws IOException {
        Path root = Path.of(System.getProperty("project.root"));
        Path work = Path.of(System.getProperty("e2e.workdir"));
        Files.createDirectories(work);
        List<String> specs = new ArrayList<>();
        for (Instance i : instances) {
            specs.add(i.port() + ":" + i.httpPort());
        }
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "cluster",
                String.valueOf(instances.size())).directory(root.toFile());
        pb.environment().put("RELAY_CLUSTER_PORTS", String.join(",", specs));
        pb.environment().put("RELAY_CLUSTER_ROOTDIR", work.toString());
        pb.environment().putAll(env);
        pb.environment().put("RELAY_ADMIN_PASSWORD_HASH", ADMIN_PASSWORD_HASH);
        return pb;
    }

    /** The Payara Micro JVM of instance {@code i} (found by its {@code --sslport}). */
    ProcessHandle jvm(int i) {
        String marker = "--sslport " + instances.get(i).port() + " ";
        return process().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no Payara Micro process with " + marker));
    }

    /** {@code /health} of instance {@code i} on its loopback HTTP port: the HTTP status (200 UP, 503 DOWN) and body. */
    HttpResponse<String> health(int i) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instances.get(i).httpPort() + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    Instance instance(int i) {
        return instances.get(i);
    }

    Duration bootTime() {
        return bootTime;
    }

    /**
     * Crashes one instance: SIGKILL to its Payara Micro JVM (found by its {@code --sslport}), no
     * graceful close of anything. The launcher and the other instances go on.
     */
    void crash(int i) {
        ProcessHandle h = jvm(i);
        h.destroyForcibly();
        h.onExit().join();
    }

    /** The Prometheus text of instance {@code i}'s application metrics, on its loopback HTTP port. */
    String metrics(int i) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + instances.get(i).httpPort() + "/metrics?scope=application"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("metrics of instance " + i + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    /** The admin console's JSON ({@code /admin/api/stats}) of instance {@code i}, after a login over TLS. */
    String adminStats(int i) throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(TestTls.trustingProjectCa())
                .cookieHandler(new CookieManager()).build();
        String base = "https://localhost:" + instances.get(i).port();
        String form = "user=admin&password=" + URLEncoder.encode(ADMIN_PASSWORD, StandardCharsets.UTF_8);
        c.send(HttpRequest.newBuilder(URI.create(base + "/admin/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/stats"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("admin stats of instance " + i + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** One metric of instance {@code i} (the first line of that name), or NaN if unreadable. */
    double metric(int i, String name) {
        try {
            Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{[^}]*\\})?\\s+([0-9.Ee+-]+)",
                    Pattern.MULTILINE).matcher(metrics(i));
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }
}

package io.securerelay.relay.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay's JVM as seen from a test on the same machine: found among this JVM's child processes
 * by its TLS port, its heap read after a full GC. The GC is requested with {@code jcmd GC.run};
 * the used heap is read from the relay's MicroProfile Metrics ({@code memory_usedHeap_bytes} at
 * {@code http://127.0.0.1:<http port>/metrics}) or, if that is unavailable, from
 * {@code jcmd GC.heap_info}. Nothing is added to the product WAR for this.
 */
public final class RelayProcess {

    private static final Pattern METRIC = Pattern.compile(
            "^(?:base_)?memory_usedHeap_bytes(?:\\{[^}]*\\})?\\s+([0-9.Ee+]+)\\s*$", Pattern.MULTILINE);
    private static final Pattern HEAP_INFO_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private final long pid;
    private final int httpPort;
    private String lastSource = "none";

    private RelayProcess(long pid, int httpPort) {
        this.pid = pid;
        this.httpPort = httpPort;
    }

    /** The descendant JVM started with {@code --sslport <sslPort>}, if there is one. */
    public static Optional<RelayProcess> find(int sslPort, int httpPort) {
        String marker = "--sslport " + sslPort;
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .findFirst()
                .map(p -> new RelayProcess(p.pid(), httpPort));
    }

    public long pid() {
        return pid;
    }

    /** Where the last figure came from: "metrics" or "jcmd". */
    public String lastSource() {
        return lastSource;
    }

    /** Runs a full GC in the relay, then returns its used heap in bytes. */
    public long usedHeapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        try {
            String metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics?scope=base"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = METRIC.matcher(metrics);
            if (m.find()) {
                lastSource = "metrics";
                return (long) Double.parseDouble(m.group(1));
            }
        } catch (IOException e) {
            // fall back to jcmd below
        }
        Matcher m = HEAP_INFO_USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IOException("no used-heap figure from metrics nor jcmd");
        }
        lastSource = "jcmd";
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        String jcmd = path(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String path(String first, String... more) {
        return java.nio.file.Path.of(first, more).toString();
    }
}

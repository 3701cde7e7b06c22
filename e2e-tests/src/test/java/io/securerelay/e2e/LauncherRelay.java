package io.securerelay.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The relay exactly as a user starts it: {@code ./secure-relay relay}, a real Payara Micro
 * process, on ports chosen for the test run.
 */
final class LauncherRelay extends LineProcess {

    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);

    private final int port;
    private final Duration bootTime;

    private LauncherRelay(ProcessBuilder builder, int port) throws IOException, InterruptedException {
        super("relay", builder);
        this.port = port;
        long start = System.nanoTime();
        await(l -> l.startsWith("relay ready at wss://"), BOOT_TIMEOUT, "'relay ready' line");
        this.bootTime = Duration.ofNanos(System.nanoTime() - start);
    }

    private static LauncherRelay shared;

    /**
     * The relay most tests share (one Payara boot for the whole test JVM), on the ports
     * {@code e2e.relay.port} and {@code e2e.relay.httpport}; stopped when the JVM exits.
     */
    static synchronized LauncherRelay shared() throws IOException, InterruptedException {
        if (shared == null || !shared.process().isAlive()) {
            LauncherRelay r = start(Integer.getInteger("e2e.relay.port"), Integer.getInteger("e2e.relay.httpport"));
            System.out.printf("shared relay started by the launcher, ready after %d ms%n", r.bootTime().toMillis());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    r.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            shared = r;
        }
        return shared;
    }

    /** A relay of its own on {@code port} (and {@code httpPort} for its loopback HTTP listener). */
    static LauncherRelay start(int port, int httpPort) throws IOException, InterruptedException {
        return start(port, httpPort, java.util.Map.of());
    }

    /** A relay of its own, started with extra environment variables (e.g. {@code RELAY_MTLS=1}). */
    static LauncherRelay start(int port, int httpPort, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("project.root"));
        Path work = Path.of(System.getProperty("e2e.workdir"));
        Files.createDirectories(work);
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "relay")
                .directory(root.toFile());
        pb.environment().put("RELAY_PORT", String.valueOf(port));
        pb.environment().put("RELAY_HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("RELAY_ROOTDIR", work.resolve("payara-" + port).toString());
        pb.environment().putAll(env);
        return new LauncherRelay(pb, port);
    }

    URI uri() {
        return URI.create("wss://localhost:" + port + "/relay");
    }

    Duration bootTime() {
        return bootTime;
    }

    /**
     * Crashes the relay: SIGKILL to the Payara Micro JVM (no graceful close of any connection),
     * then to the launcher. Returns once both are gone.
     */
    void crash() throws InterruptedException {
        for (ProcessHandle h : process().descendants().toList()) {
            h.destroyForcibly();
            h.onExit().join();
        }
        process().destroyForcibly();
        process().waitFor();
    }
}

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

    static LauncherRelay start() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("project.root"));
        int port = Integer.getInteger("e2e.relay.port");
        Path work = Path.of(System.getProperty("e2e.workdir"));
        Files.createDirectories(work);
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "relay")
                .directory(root.toFile());
        pb.environment().put("RELAY_PORT", String.valueOf(port));
        pb.environment().put("RELAY_HTTP_PORT", System.getProperty("e2e.relay.httpport"));
        pb.environment().put("RELAY_ROOTDIR", work.resolve("payara-" + port).toString());
        return new LauncherRelay(pb, port);
    }

    URI uri() {
        return URI.create("wss://localhost:" + port + "/relay");
    }

    Duration bootTime() {
        return bootTime;
    }
}

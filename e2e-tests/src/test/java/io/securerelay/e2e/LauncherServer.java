package io.securerelay.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay on a full Payara Server exactly as a user starts it: {@code ./secure-relay server}, on
 * ports chosen for the test run, with its distribution and domain in a directory of the build.
 */
final class LauncherServer extends LineProcess {

    /** First run: fetch and unpack, create-domain, one configuring boot, the real boot, deploy. */
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(12);

    private final int port;
    private final int adminPort;
    private final Path dir;
    private final String passwordLine;

    private LauncherServer(ProcessBuilder builder, int port, int adminPort, Path dir)
            throws IOException, InterruptedException {
        super("payara-server", builder);
        this.port = port;
        this.adminPort = adminPort;
        this.dir = dir;
        await(l -> l.startsWith("relay ready at wss://"), BOOT_TIMEOUT, "'relay ready' line");
        this.passwordLine = transcript().lines().filter(l -> l.contains("generated password")).findFirst().orElse(null);
    }

    static LauncherServer start(int port, int adminPort, Path dir) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("project.root"));
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "server")
                .directory(root.toFile());
        pb.environment().put("RELAY_PORT", String.valueOf(port));
        pb.environment().put("RELAY_ADMIN_PORT", String.valueOf(adminPort));
        pb.environment().put("RELAY_SERVER_DIR", dir.toString());
        return new LauncherServer(pb, port, adminPort, dir);
    }

    URI uri() {
        return URI.create("wss://localhost:" + port + "/relay");
    }

    int port() {
        return port;
    }

    int adminPort() {
        return adminPort;
    }

    /** The line the launcher printed once with the generated admin password, or null. */
    String passwordLine() {
        return passwordLine;
    }

    Path passwordFile() {
        return dir.resolve("passwords");
    }

    String adminPassword() throws IOException {
        return Files.readAllLines(passwordFile()).stream().filter(l -> l.startsWith("AS_ADMIN_PASSWORD="))
                .map(l -> l.substring("AS_ADMIN_PASSWORD=".length())).findFirst()
                .orElseThrow(() -> new AssertionError("no admin password in " + passwordFile()));
    }

    Path domain() {
        return dir.resolve("domains/relay");
    }

    Path serverLog() {
        return domain().resolve("logs/server.log");
    }

    /** The pid of the domain's JVM (Payara writes it at start). */
    long serverPid() throws IOException {
        return Long.parseLong(Files.readString(domain().resolve("config/pid")).trim());
    }

    /** Runs {@code asadmin} against the domain's admin port; returns its output, fails on a non-zero exit. */
    String asadmin(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("payara6/bin/asadmin").toString(),
                "--port", String.valueOf(adminPort), "--user", "admin", "--passwordfile", passwordFile().toString(),
                "--interactive=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("asadmin " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("asadmin " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + text);
        }
        return text;
    }
}

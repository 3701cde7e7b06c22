package io.securerelay.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real client process: {@code java -jar client-app.jar ROLE --batch …}, spoken to in lines. */
final class ClientProcess extends LineProcess {

    /**
     * JVM options for the many short client runs of the suite (20 at once in DeskE2EIT on 2 cores):
     * the C1 compiler only, and the serial collector, halve the CPU a client spends starting.
     */
    static final String[] QUICK_START = {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    static final Pattern RECEIVED = Pattern.compile("^received (\\d+) (\\S+) (\\S+) verified (.*)$");

    private ClientProcess(String role, ProcessBuilder pb) throws IOException {
        super(role, pb);
    }

    /**
     * Starts a batch client that sends each line of {@code script} and finishes once {@code expect}
     * messages from the peer have arrived and all its own were acknowledged.
     */
    static ClientProcess start(String role, Path keyDir, URI relay, Path script, long expect, String peer,
            String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", QUICK_START[0], QUICK_START[1], "-jar", System.getProperty("client.jar"), role, "--batch",
                "--key-dir", keyDir.toString(), "--ca", Path.of(System.getProperty("certs.dir"), "ca.pem").toString(),
                "--relay", relay.toString(), "--script", script.toString(), "--expect", String.valueOf(expect),
                "--deadline", "4m"));
        if (peer != null) {
            cmd.add("--peer");
            cmd.add(peer);
        }
        cmd.addAll(List.of(extra));
        return new ClientProcess(role, new ProcessBuilder(cmd));
    }

    /**
     * Starts a client with exactly {@code args} after the jar (plus {@code --ca} unless given),
     * with extra environment variables.
     */
    static ClientProcess run(java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("client.jar")));
        cmd.addAll(List.of(args));
        if (!cmd.contains("--ca")) {
            cmd.addAll(List.of("--ca", Path.of(System.getProperty("certs.dir"), "ca.pem").toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return new ClientProcess(args.length > 0 ? args[0] : "client", pb);
    }

    /** Writes a script of {@code count} lines: "{@code prefix} 1", "{@code prefix} 2", … */
    static Path script(Path dir, String prefix, int count) throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            lines.add(prefix + " " + i);
        }
        return Files.write(dir.resolve(prefix.replace(' ', '-') + ".txt"), lines);
    }

    /** The session ID the client printed when it registered. */
    String sessionId(Duration timeout) throws InterruptedException {
        return await(l -> l.startsWith("session "), timeout, "session ID").substring("session ".length());
    }

    /** Waits for the process to end and returns its exit code. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process().waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + " did not finish within " + timeout + "; output:\n" + transcript());
        }
        awaitOutputEnd(Duration.ofSeconds(30));
        return process().exitValue();
    }

    /** "number:text" of every received line, in output order (from one or more transcripts). */
    static List<String> received(String... transcripts) {
        List<String> r = new ArrayList<>();
        for (String t : transcripts) {
            for (String line : t.split("\n")) {
                Matcher m = RECEIVED.matcher(line);
                if (m.matches()) {
                    r.add(m.group(1) + ":" + m.group(4));
                }
            }
        }
        return r;
    }

    /** What {@link #received} must give for a script of {@code count} lines with {@code prefix}. */
    static List<String> expected(String prefix, int count) {
        List<String> r = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            r.add(i + ":" + prefix + " " + i);
        }
        return r;
    }
}

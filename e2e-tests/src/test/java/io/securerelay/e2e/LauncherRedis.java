package io.securerelay.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The cluster's Redis exactly as the launcher configures it ({@code ./secure-relay redis}: a real
 * {@code redis-server}, TLS only on a loopback port chosen for the test run, the default user off,
 * one ACL user), in a directory of the test run. {@link #stop()} and {@link #start()} restart it
 * on the same port with the same password (the directory keeps it) and, as configured, no data.
 */
final class LauncherRedis implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final int port;
    private final Path dir;
    private LineProcess process;

    private LauncherRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts {@code ./secure-relay redis} on {@code port}, its files in {@code dir}. */
    static LauncherRedis start(int port, Path dir) throws IOException, InterruptedException {
        LauncherRedis r = new LauncherRedis(port, dir);
        r.start();
        return r;
    }

    void start() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("project.root"));
        Files.createDirectories(dir.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "redis")
                .directory(root.toFile());
        pb.environment().put("RELAY_REDIS_PORT", String.valueOf(port));
        pb.environment().put("RELAY_REDIS_DIR", dir.toString());
        process = new LineProcess("redis", pb);
        process.await(l -> l.startsWith("redis ready at rediss://127.0.0.1:" + port), START_TIMEOUT, "'redis ready' line");
    }

    /** Stops redis-server (SIGTERM through the launcher) and waits until it is gone. */
    void stop() throws InterruptedException {
        LineProcess p = process;
        process = null;
        if (p != null) {
            p.close();
        }
    }

    /** The redis-server process (a child of the launcher; its pid file is in the directory). */
    ProcessHandle server() throws IOException {
        long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).strip());
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new AssertionError("redis-server " + pid + " is not running"));
    }

    int port() {
        return port;
    }

    String uri() {
        return "rediss://secure-relay@127.0.0.1:" + port;
    }

    Path passwordFile() {
        return dir.resolve("relay.pass");
    }

    String password() throws IOException {
        return Files.readString(passwordFile()).strip();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

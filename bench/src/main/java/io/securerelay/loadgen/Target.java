package io.securerelay.loadgen;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server under test, started as its own process on a loopback port: the relay as users start it
 * ({@code ./secure-relay relay}: Payara Micro, TLS), the minimal Node {@code ws} relay, or the
 * direct TLS echo.
 */
final class Target implements AutoCloseable {

    /** What a target does with a frame. */
    enum Kind {
        /** Speaks the relay protocol: CHALLENGE/REGISTER, SEND becomes DELIVER to the peer. */
        RELAY,
        /** Sends every message back on the connection it came from. */
        ECHO
    }


    private final String name;
    private final Kind kind;
    private final URI uri;
    private final Process process;
    private final boolean jvm;
    private final Duration startTime;
    private final List<URI> instances = new ArrayList<>();
    /** For a cluster instance: what its JVM's command line contains ({@code --sslport P }); null otherwise. */
    private final String jvmMarker;
    /** For a cluster: the pid file of the Redis the launcher started; null otherwise. */
    private Path redisPidFile;

    private Target(String name, Kind kind, URI uri, Process process, boolean jvm, Duration startTime) {
        this(name, kind, uri, process, jvm, startTime, null);
    }

    private Target(String name, Kind kind, URI uri, Process process, boolean jvm, Duration startTime, String jvmMarker) {
        this.name = name;
        this.kind = kind;
        this.uri = uri;
        this.process = process;
        this.jvm = jvm;
        this.startTime = startTime;
        this.jvmMarker = jvmMarker;
    }

    /**
     * The relay exactly as a user starts it, {@code ./secure-relay relay}, with the load-test
     * settings of {@code bench/relay-bench.properties} (no per-connection rate cap, no cap of
     * connections per address: the whole load comes from one loopback address).
     */
    static Target payaraRelay(Path root, Path work, Duration bootTimeout) throws IOException, InterruptedException {
        int port = freePort();
        int httpPort = freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "relay")
                .directory(root.toFile());
        pb.environment().put("RELAY_PORT", String.valueOf(port));
        pb.environment().put("RELAY_HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("RELAY_ROOTDIR", work.resolve("payara-" + port).toString());
        pb.environment().put("RELAY_PROPERTIES", root.resolve("bench/relay-bench.properties").toString());
        return start("relay (Payara Micro)", Kind.RELAY, URI.create("wss://localhost:" + port + "/relay"), pb,
                work.resolve("relay-" + port + ".out"), "relay ready at wss://", bootTimeout, true);
    }

    /**
     * The same relay.war on a full Payara Server, as {@code ./secure-relay server} starts it, with
     * the benchmark settings; the distribution and domain are kept in {@code work/server} between
     * runs (the first run creates the domain: a few minutes).
     */
    static Target payaraServer(Path root, Path work, Duration bootTimeout) throws IOException, InterruptedException {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "server")
                .directory(root.toFile());
        pb.environment().put("RELAY_PORT", String.valueOf(port));
        pb.environment().put("RELAY_ADMIN_PORT", String.valueOf(freePort()));
        pb.environment().put("RELAY_SERVER_DIR", work.resolve("server").toString());
        pb.environment().put("RELAY_PROPERTIES", root.resolve("bench/relay-bench.properties").toString());
        return start(Report.SERVER, Kind.RELAY, URI.create("wss://localhost:" + port + "/relay"), pb,
                work.resolve("server-" + port + ".out"), "relay ready at wss://", bootTimeout, true);
    }

    /**
     * A local cluster of {@code instances} relays as {@code ./secure-relay cluster N} starts it (its
     * own locked-down redis-server first), on free ports, with the benchmark settings. The returned
     * target owns the launcher process (close it to stop every instance and Redis);
     * {@link #instance(int)} gives each instance's own address and JVM, {@link #redisProcess()} the Redis.
     */
    static Target payaraCluster(Path root, Path work, int instances, Duration bootTimeout)
            throws IOException, InterruptedException {
        List<String> specs = new ArrayList<>();
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            int tls = freePort();
            specs.add(tls + ":" + freePort());
            uris.add(URI.create("wss://localhost:" + tls + "/relay"));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("secure-relay").toString(), "cluster",
                String.valueOf(instances)).directory(root.toFile());
        pb.environment().put("RELAY_CLUSTER_PORTS", String.join(",", specs));
        pb.environment().put("RELAY_CLUSTER_ROOTDIR", work.resolve("cluster").toString());
        pb.environment().put("RELAY_REDIS_PORT", String.valueOf(freePort()));
        pb.environment().put("RELAY_REDIS_DIR", work.resolve("cluster-redis").toString());
        pb.environment().put("RELAY_PROPERTIES", root.resolve("bench/relay-bench.properties").toString());
        Target t = start("relay cluster (" + instances + " Payara Micro instances)", Kind.RELAY, uris.get(0), pb,
                work.resolve("cluster-" + uris.get(0).getPort() + ".out"), "relay ready at wss://", bootTimeout, true,
                instances);
        t.instances.addAll(uris);
        t.redisPidFile = work.resolve("cluster-redis").resolve("redis.pid");
        return t;
    }

    /** Instance {@code i} of a cluster target (the same launcher, another address and JVM). */
    Target instance(int i) {
        return new Target("cluster instance " + (char) ('A' + i), kind, instances.get(i), process, jvm, startTime,
                "--sslport " + instances.get(i).getPort() + " ");
    }

    /** The cluster's redis-server (from its pid file). */
    ProcessHandle redisProcess() throws IOException {
        long pid = Long.parseLong(Files.readString(redisPidFile).strip());
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("redis-server " + pid + " is gone"));
    }

    /** CPU time (user + system) a process has used so far, from /proc/<pid>/stat, in seconds. */
    static double cpuSeconds(ProcessHandle p) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state(0) ... utime is field 14 of the line, index 11 here; stime index 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** The baseline a user might pick instead: bench/node/ws-relay.js, the same protocol on Node's ws. */
    static Target nodeRelay(Path root, Path work) throws IOException, InterruptedException {
        return node("Node ws relay", Kind.RELAY, "ws-relay.js", root, work);
    }

    /**
     * The Node relay spoiling every Nth frame ({@code fault} is {@code KIND:N}, KIND one of drop,
     * dup, reorder, misroute): only for tests that check the harness notices.
     */
    static Target faultyNodeRelay(Path root, Path work, String fault) throws IOException, InterruptedException {
        return node("faulty Node relay (" + fault + ")", Kind.RELAY, "ws-relay.js", root, work, "--fault", fault);
    }

    /** The floor: bench/node/wss-echo.js, a TLS WebSocket echo without any routing. */
    static Target tlsEcho(Path root, Path work) throws IOException, InterruptedException {
        return node("direct TLS echo", Kind.ECHO, "wss-echo.js", root, work);
    }

    private static Target node(String name, Kind kind, String script, Path root, Path work, String... extra)
            throws IOException, InterruptedException {
        int port = freePort();
        Path certs = root.resolve("certs/generated");
        List<String> command = new ArrayList<>(List.of("node", root.resolve("bench/node").resolve(script).toString(),
                "--port", String.valueOf(port), "--host", "127.0.0.1",
                "--pfx", certs.resolve("relay.p12").toString(), "--passfile", certs.resolve("relay.pass").toString()));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command);
        return start(name, kind, URI.create("wss://localhost:" + port + "/relay"), pb,
                work.resolve(script + "-" + port + ".out"), "listening", Duration.ofSeconds(30), false);
    }

    private static Target start(String name, Kind kind, URI uri, ProcessBuilder pb, Path log, String readyLine,
            Duration timeout, boolean jvm) throws IOException, InterruptedException {
        return start(name, kind, uri, pb, log, readyLine, timeout, jvm, 1);
    }

    /** Starts the process and waits for {@code readyLines} lines starting with {@code readyLine}. */
    private static Target start(String name, Kind kind, URI uri, ProcessBuilder pb, Path log, String readyLine,
            Duration timeout, boolean jvm, int readyLines) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        int[] seen = {0};
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.startsWith(readyLine) && ++seen[0] >= readyLines) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready (see " + log + ")"));
        }, "log-" + name);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            destroyTree(p);
            throw new IllegalStateException(name + " did not start in " + timeout.toSeconds() + " s (see " + log + ")", e);
        }
        return new Target(name, kind, uri, p, jvm, Duration.ofNanos(System.nanoTime() - t0));
    }

    String name() {
        return name;
    }

    Kind kind() {
        return kind;
    }

    /** Whether the server is a JVM (Payara Micro): heap and histograms can be read. */
    boolean jvm() {
        return jvm;
    }

    URI uri() {
        return uri;
    }

    Duration startTime() {
        return startTime;
    }

    /** The process that serves connections (for the relay: the Payara Micro JVM under the launcher). */
    ProcessHandle serverProcess() {
        if (!jvm) {
            return process.toHandle();
        }
        return process.toHandle().descendants()
                .filter(h -> h.info().commandLine().map(c -> c.contains("payara-micro")
                        && (jvmMarker == null || c.contains(jvmMarker))).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no Payara Micro process under the launcher"));
    }

    /** Resident set size of the serving process, in bytes (Linux /proc). */
    long rssBytes() {
        return JvmProbe.rssBytes(serverProcess().pid(), name);
    }

    /**
     * Heap in use right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes;
     * empty for a non-JVM target.
     */
    OptionalLong heapAfterGcBytes() throws IOException, InterruptedException {
        if (!jvm) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(JvmProbe.heapAfterGcBytes(serverProcess().pid(), name));
    }

    /**
     * The serving JVM's live-object histogram ({@code jcmd GC.class_histogram}, after a full GC);
     * empty for Node. With {@code heapDump}, and {@code BENCH_HEAP_DUMP} set to a file, also a full
     * heap dump (HPROF) at the same moment, for memory investigations.
     */
    String classHistogram(boolean heapDump) throws IOException, InterruptedException {
        if (!jvm) {
            return "";
        }
        String all = JvmProbe.jcmd(serverProcess().pid(), "GC.class_histogram");
        String dump = System.getenv("BENCH_HEAP_DUMP");
        if (heapDump && dump != null && !dump.isEmpty()) {
            JvmProbe.jcmd(serverProcess().pid(), "GC.heap_dump", dump);
        }
        return all;
    }

    @Override
    public void close() {
        destroyTree(process);
    }

    private static void destroyTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>();
        p.toHandle().descendants().forEach(all::add);
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    /** A free TCP port on the loopback interface. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return name + " at " + uri;
    }
}

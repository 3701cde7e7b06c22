package io.securerelay.loadgen;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark suite: starts the targets (the relay with the launcher, the Node ws relay, the
 * direct TLS echo), runs each scenario against each of them in turn, and writes results.md and
 * the plots. Started by {@code ./secure-relay bench [quick|full]}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Throughput, latency, idle connections, churn and end-to-end sessions: the relay on Payara Micro"
                + " against a Node ws relay and a direct TLS echo, measured in the same run.")
public final class Main implements Callable<Integer> {

    /**
     * How long the idle scenario waits for the relay to ping every connection once. The bench
     * settings ping a connection silent for 30 s, checked every 30 s: at most about 60 s after the
     * last connection registered.
     */
    static final Duration KEEP_ALIVE_WAIT = Duration.ofSeconds(100);
    /** Unmeasured churn before the churn scenario's figures, per target. */
    static final Duration CHURN_WARMUP = Duration.ofSeconds(60);

    @CommandLine.Parameters(index = "0", defaultValue = "quick", description = "quick (a few minutes) or full")
    String suite;

    @Option(names = "--root", description = "project root (default: current directory)")
    Path root = Path.of("").toAbsolutePath();

    @Option(names = "--out", description = "results folder (default: bench/results/<date-time>)")
    Path out;

    @Option(names = "--scenarios", split = ",", description = "throughput,latency,generator,idle,churn,e2e,desk,cluster (default: all)")
    Set<String> scenarios = Set.of("throughput", "latency", "generator", "idle", "churn", "e2e", "desk", "cluster");

    @Option(names = "--targets", split = ",", description = "relay,node,echo,server (default: relay,node,echo; server: the relay on a full Payara Server)")
    Set<String> targets = Set.of("relay", "node", "echo");

    @Option(names = "--pairs", split = ",", description = "pair counts (default: quick 10,100; full 10,100,1000)")
    List<Integer> pairs;

    @Option(names = "--idle-connections", description = "idle connections to hold (default 10000)")
    int idleConnections = 10_000;

    @Option(names = "--http-clients", description = "java.net.http clients the connections are spread over (default 4)")
    int httpClients = 4;

    @Option(names = "--window", description = "closed loop: frames in flight per direction (default 32)")
    int window = 32;

    @Option(names = "--desk-customers", description = "desk scenario: customers on the one desk (default 1000)")
    int deskCustomers = 1000;

    @Option(names = "--desk-depth", description = "desk scenario: texts each customer keeps unacknowledged (default 4)")
    int deskDepth = 4;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean full = switch (suite) {
            case "quick" -> false;
            case "full" -> true;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "suite is quick or full, not " + suite);
        };
        List<Integer> pairCounts = pairs != null ? pairs : full ? List.of(10, 100, 1000) : List.of(10, 100);
        Duration warmup = Duration.ofSeconds(full ? 5 : 3);
        Duration measure = Duration.ofSeconds(full ? 15 : 5);
        Path dir = out != null ? out : root.resolve("bench/results")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path work = root.resolve(".run/bench");
        Files.createDirectories(work);
        Progress progress = new Progress(System.err, quiet);
        Report report = new Report();
        report.setup.put("suite", suite + " (warm-up " + warmup.toSeconds() + " s, measured " + measure.toSeconds() + " s per run)");
        report.setup.put("date", LocalDateTime.now().withNano(0).toString());
        report.setup.put("machine", Runtime.getRuntime().availableProcessors() + " cores, load average before start "
                + loadAverage() + "; generator and targets on the same machine, loopback only");
        report.setup.put("generator", "java.net.http.WebSocket on Java " + System.getProperty("java.version") + ", "
                + httpClients + " HTTP clients, TLS 1.3, 1 KiB payloads (1042-byte frames)");

        Clients clients = new Clients(Tls.trustingProjectCa(root.resolve("certs/generated")), httpClients);
        Map<String, Target> running = new LinkedHashMap<>();
        // Only the cluster scenario (--scenarios cluster): no single target is started at all.
        boolean singles = scenarios.stream().anyMatch(s -> !s.equals("cluster"));
        try {
            if (singles && targets.contains("echo")) {
                running.put(Report.ECHO, Target.tlsEcho(root, work));
            }
            if (singles && targets.contains("node")) {
                running.put(Report.NODE, Target.nodeRelay(root, work));
            }
            if (singles && targets.contains("relay")) {
                progress.step("starting the relay with ./secure-relay relay (Payara Micro boots in 15 to 45 s here)");
                Target relay = Target.payaraRelay(root, work, Duration.ofMinutes(4));
                running.put(Report.RELAY, relay);
                report.setup.put("relay", "Payara Micro, started by ./secure-relay relay with bench/relay-bench.properties, ready in "
                        + relay.startTime().toMillis() + " ms");
            }
            if (singles && targets.contains("server")) {
                progress.step("starting the relay on Payara Server with ./secure-relay server (a first run creates its domain: minutes)");
                Target server = Target.payaraServer(root, work, Duration.ofMinutes(12));
                running.put(Report.SERVER, server);
                report.setup.put("server", "Payara Server 6.2025.9, started by ./secure-relay server with bench/relay-bench.properties, ready in "
                        + server.startTime().toMillis() + " ms");
            }
            if (singles) {
                runSuite(full, pairCounts, warmup, measure, clients, running, report, progress);
            }
        } finally {
            running.values().forEach(Target::close);
        }
        if (scenarios.contains("cluster") && targets.contains("relay")) {
            // After the single targets are stopped: the cluster's two instances get the machine.
            cluster(full, pairCounts, warmup, measure, work, clients, report, progress);
        }
        report.write(dir);
        System.out.println(report.markdown());
        progress.step("results written to " + dir.resolve("results.md") + " (plots: throughput.png, latency.png)");
        for (DeskLoad.Result r : report.desk) {
            if (r.failure() != null) {
                // Issue 15: every text committed, none lost; anything else fails the run.
                System.err.println("desk scenario FAILED: " + r.failure());
                return 1;
            }
        }
        return 0;
    }

    private void runSuite(boolean full, List<Integer> pairCounts, Duration warmup, Duration measure, Clients clients,
            Map<String, Target> running, Report report, Progress progress) throws Exception {
        // The order of targets within a scenario: floor first, then the baseline, then the relay,
        // so that each is measured on the same warm generator.
        // Warm-up, not measured: a JVM target runs interpreted until its JIT has compiled the hot
        // path (AES-GCM and GHASH run without their CPU intrinsics until then), which takes tens
        // of seconds of traffic; the generator needs the same. Every target gets the same.
        Duration jit = Duration.ofSeconds(full ? 30 : 15);
        for (Target t : running.values()) {
            progress.step("warm-up (not measured): " + t.name() + ", 10 pairs for " + jit.toSeconds() + " s");
            try (FrameLoad load = FrameLoad.open(t, 10, 1024, clients)) {
                FrameLoad.Result r = load.closedLoop(window, Duration.ZERO, jit, progress);
                if (!r.clean()) {
                    throw new IllegalStateException("warm-up against " + t.name() + " failed: lost " + r.lost()
                            + ", misrouted " + r.misrouted() + ", " + r.failure());
                }
            }
        }
        if (scenarios.contains("throughput")) {
            for (int n : pairCounts) {
                for (Target t : running.values()) {
                    progress.step(String.format("throughput: %s, %d pairs", t.name(), n));
                    try (FrameLoad load = FrameLoad.open(t, n, 1024, clients)) {
                        FrameLoad.Result r = load.closedLoop(window, warmup, measure, progress);
                        report.throughput.add(r);
                        progress.step(String.format(Locale.ROOT, "  %,.0f frames/s, lost %d, misrouted %d", r.framesPerSecond(),
                                r.lost(), r.misrouted()));
                    }
                }
            }
        }
        if (scenarios.contains("latency")) {
            for (int n : pairCounts) {
                OptionalDouble max = Report.rate(report.throughput, Report.RELAY, n);
                if (max.isEmpty()) {
                    max = Report.rate(report.throughput, Report.NODE, n);
                }
                if (max.isEmpty()) {
                    report.notes.add("latency for " + n + " pairs skipped: no throughput measured to take 50 % of");
                    continue;
                }
                double offered = max.getAsDouble() / 2;
                for (Target t : running.values()) {
                    progress.step(String.format(Locale.ROOT, "latency: %s, %d pairs, %,.0f frames/s offered", t.name(), n, offered));
                    try (FrameLoad load = FrameLoad.open(t, n, 1024, clients)) {
                        FrameLoad.Result r = load.openLoop(offered, warmup, measure, progress);
                        report.latency.add(r);
                        progress.step(String.format(Locale.ROOT, "  p50 %s ms, p99 %s ms, p99.9 %s ms, lost %d",
                                Report.ms(r.latencyMicros(), 50), Report.ms(r.latencyMicros(), 99),
                                Report.ms(r.latencyMicros(), 99.9), r.lost()));
                    }
                }
            }
        }
        if (scenarios.contains("generator")) {
            generatorCheck(pairCounts, warmup, measure, running, report, progress);
        }
        if (scenarios.contains("churn")) {
            for (Target t : running.values()) {
                // Connection set-up is other code than relaying frames (TLS handshakes, the HTTP
                // upgrade, the servlet and WebSocket containers): its own unmeasured warm-up, the
                // same for every target. A minute, in quick and full: the relay's JIT compiler is
                // busy for about that long (docs/BENCHMARKS.md, "Churn and the JIT").
                progress.step("churn warm-up (not measured): " + t.name() + " for " + CHURN_WARMUP.toSeconds() + " s");
                Churn.run(t, 8, Duration.ZERO, CHURN_WARMUP, clients, progress);
                progress.step("churn: new connections to " + t.name());
                Churn.Result r = Churn.run(t, 8, warmup, measure, clients, progress);
                report.churn.add(r);
                progress.step(String.format(Locale.ROOT, "  %,.0f connections/s, p99 %s ms, failures %d", r.perSecond(),
                        Report.ms(r.connectMicros(), 99), r.failures()));
            }
            // The Java generator's TLS client handshakes cost it about what they cost a server: the
            // same scenario with the Node generator (bench/node/churn.js), as a cross-check.
            Path churnJs = root.resolve("bench/node/churn.js");
            if (Files.exists(churnJs)) {
                for (Target t : running.values()) {
                    progress.step("churn: Node generator, new connections to " + t.name());
                    String json = nodeJson(List.of("node", churnJs.toString(), "--url", t.uri().toString(),
                            "--ca", root.resolve("certs/generated/ca.pem").toString(),
                            "--mode", t.kind() == Target.Kind.RELAY ? "relay" : "echo", "--chains", "8",
                            "--warmup", String.valueOf(warmup.toSeconds()), "--seconds", String.valueOf(measure.toSeconds())),
                            warmup.toSeconds() + measure.toSeconds() + 120);
                    report.churnNode.add(new Report.NodeChurn(t.name(), json));
                    progress.step("  " + (json.isEmpty() ? "failed" : json));
                }
            }
        }
        if (scenarios.contains("e2e")) {
            int e2ePairs = full ? 50 : 10;
            for (Target t : running.values()) {
                if (t.kind() != Target.Kind.RELAY) {
                    continue;
                }
                progress.step("end-to-end: " + e2ePairs + " encrypted sessions through " + t.name());
                EndToEnd.Result r = EndToEnd.run(t, e2ePairs, warmup, measure, clients, progress);
                report.endToEnd.add(r);
                progress.step(String.format(Locale.ROOT, "  %,.0f handshakes/s, %,.0f sealed messages/s%s",
                        r.handshakesPerSecond(), r.messagesPerSecond(), r.failure() == null ? "" : ", " + r.failure()));
            }
            // After the runs through relays, so that the crypto code is as warm as it was for them.
            progress.step("end-to-end: in-process, no network (the ceiling the crypto sets)");
            report.endToEnd.add(EndToEnd.inProcess(2, warmup, measure));
        }
        if (scenarios.contains("desk")) {
            for (Target t : running.values()) {
                if (t.kind() != Target.Kind.RELAY || !t.jvm()) {
                    continue;
                }
                // Longer than the other scenarios' windows: the desk JVM starts cold, and its JIT
                // and H2's caches need a while under this load.
                Duration deskWarmup = Duration.ofSeconds(full ? 30 : 15);
                Duration deskMeasure = Duration.ofSeconds(full ? 60 : 20);
                DeskLoad.Result r = DeskLoad.run(root, root.resolve(".run/bench"), t, deskCustomers, deskDepth,
                        deskWarmup, deskMeasure, clients, progress);
                report.desk.add(r);
                // The ceiling in the same run, right after, on the same warm generator JVM.
                progress.step("desk: the in-process ceiling (seal + open, handshakes; no network, no database)");
                EndToEnd.Result ceiling = EndToEnd.inProcess(2, warmup, measure);
                report.deskCeiling.add(ceiling);
                double ratio = r.messagesPerSecond() / ceiling.messagesPerSecond();
                progress.step(String.format(Locale.ROOT,
                        "  desk %,.0f texts/s stored vs ceiling %,.0f sealed messages/s: %.0f %% (aim %.0f %%: %s); ceiling %,.0f handshakes/s%s",
                        r.messagesPerSecond(), ceiling.messagesPerSecond(), 100 * ratio, 100 * Report.DESK_AIM,
                        ratio >= Report.DESK_AIM ? "met" : "not met", ceiling.handshakesPerSecond(),
                        r.failure() == null ? "" : "; FAILED: " + r.failure()));
                break;
            }
        }
        // Last of the single-target scenarios: closing 10,000 connections leaves the relay busy
        // (timers, garbage) for a while, which would weigh on whatever ran next.
        if (scenarios.contains("idle")) {
            for (Target t : running.values()) {
                if (t.kind() != Target.Kind.RELAY) {
                    continue;
                }
                progress.step(String.format("idle connections: %,d to %s", idleConnections, t.name()));
                IdleConnections.Result r = IdleConnections.run(t, idleConnections, clients, progress, KEEP_ALIVE_WAIT);
                report.idle.add(r);
                progress.step(String.format(Locale.ROOT,
                        "  opened in %.1f s; heap after GC %s -> %s, after a keep-alive round %s (%,d pinged); RSS %s -> %s; probes %d/%d",
                        r.openSeconds(), Report.mib(r.heapBefore()), Report.mib(r.heapAfter()), Report.mib(r.heapKeptAlive()),
                        r.pinged(), Report.mib(java.util.OptionalLong.of(r.rssBefore())),
                        Report.mib(java.util.OptionalLong.of(r.rssAfter())), r.probesOk(), r.probes()));
            }
        }
    }

    /**
     * Issue 6's figure: a two-instance cluster (./secure-relay cluster 2), pairs within instance A
     * and pairs across A and B, throughput and latency, in the same run.
     */
    private void cluster(boolean full, List<Integer> pairCounts, Duration warmup, Duration measure, Path work,
            Clients clients, Report report, Progress progress) throws Exception {
        progress.step("starting a 2-instance cluster on Redis with ./secure-relay cluster 2 (two Payara boots at once: up to 2 minutes here)");
        try (Target cluster = Target.payaraCluster(root, work, 2, Duration.ofMinutes(5))) {
            Target a = cluster.instance(0);
            Target b = cluster.instance(1);
            report.setup.put("cluster", "2 Payara Micro instances and a local redis-server (TLS, ACL) started by"
                    + " ./secure-relay cluster 2, ready in " + cluster.startTime().toMillis() + " ms");
            Duration jit = Duration.ofSeconds(full ? 30 : 15);
            for (Target[] path : new Target[][] {{a, a}, {a, b}}) {
                progress.step("warm-up (not measured): " + path[0].name() + " to " + path[1].name());
                try (FrameLoad load = FrameLoad.open(path[0], path[1], 10, 1024, clients)) {
                    load.closedLoop(window, Duration.ZERO, jit, progress);
                }
            }
            for (int n : pairCounts) {
                double across = 0;
                for (Target[] path : new Target[][] {{a, a}, {a, b}}) {
                    progress.step(String.format("cluster throughput: %d pairs, %s", n, path[0] == path[1] ? "same instance" : "across instances"));
                    try (FrameLoad load = FrameLoad.open(path[0], path[1], n, 1024, clients)) {
                        double redisCpu0 = Target.cpuSeconds(cluster.redisProcess());
                        long t0 = System.nanoTime();
                        FrameLoad.Result r = load.closedLoop(window, warmup, measure, progress);
                        double redisCpu = (Target.cpuSeconds(cluster.redisProcess()) - redisCpu0)
                                / ((System.nanoTime() - t0) / 1e9);
                        report.clusterThroughput.add(r);
                        across = r.framesPerSecond();
                        report.clusterResources.add(new String[] {String.valueOf(n), r.target(), "closed loop",
                                Report.mib(a.heapAfterGcBytes()), Report.mib(b.heapAfterGcBytes()),
                                String.format(Locale.ROOT, "%.0f %%", 100 * redisCpu), loadAverage()});
                        progress.step(String.format(Locale.ROOT, "  %,.0f frames/s, lost %d, Redis CPU %.0f %%",
                                r.framesPerSecond(), r.lost(), 100 * redisCpu));
                    }
                }
                double offered = across / 2;
                for (Target[] path : new Target[][] {{a, a}, {a, b}}) {
                    try (FrameLoad load = FrameLoad.open(path[0], path[1], n, 1024, clients)) {
                        double redisCpu0 = Target.cpuSeconds(cluster.redisProcess());
                        long t0 = System.nanoTime();
                        FrameLoad.Result r = load.openLoop(offered, warmup, measure, progress);
                        double redisCpu = (Target.cpuSeconds(cluster.redisProcess()) - redisCpu0)
                                / ((System.nanoTime() - t0) / 1e9);
                        report.clusterLatency.add(r);
                        report.clusterResources.add(new String[] {String.valueOf(n), r.target(),
                                String.format(Locale.ROOT, "open loop %,.0f/s", offered),
                                Report.mib(a.heapAfterGcBytes()), Report.mib(b.heapAfterGcBytes()),
                                String.format(Locale.ROOT, "%.0f %%", 100 * redisCpu), loadAverage()});
                        progress.step(String.format(Locale.ROOT, "  open loop %,.0f/s: p50 %s ms, p99 %s ms", offered,
                                Report.ms(r.latencyMicros(), 50), Report.ms(r.latencyMicros(), 99)));
                    }
                }
            }
        }
    }

    /**
     * The Node generator (bench/node/load.js) against the same targets, next to the Java
     * generator's figures: if Java drives the echo at least as fast as the Node relay runs, the
     * generator is not what limits the relays.
     */
    private void generatorCheck(List<Integer> pairCounts, Duration warmup, Duration measure, Map<String, Target> running,
            Report report, Progress progress) throws Exception {
        Path load = root.resolve("bench/node/load.js");
        Map<String, Double> nodeGenerator = new java.util.HashMap<>();
        for (int n : pairCounts) {
            if (n > 100) {
                continue;
            }
            for (Target t : running.values()) {
                Report.rate(report.throughput, t.name(), n).ifPresent(r ->
                        report.generatorCheck.add(new String[] {String.valueOf(n), "Java (java.net.http)", t.name(), Report.num(r), "see above"}));
                if (!Files.exists(load)) {
                    continue;
                }
                progress.step(String.format("generator check: Node generator, %s, %d pairs", t.name(), n));
                List<String> cmd = new ArrayList<>(List.of("node", load.toString(), "--url", t.uri().toString(),
                        "--ca", root.resolve("certs/generated/ca.pem").toString(),
                        "--mode", t.kind() == Target.Kind.RELAY ? "relay" : "echo", "--pairs", String.valueOf(n),
                        "--size", "1024", "--window", String.valueOf(window),
                        "--warmup", String.valueOf(warmup.toSeconds()), "--seconds", String.valueOf(measure.toSeconds())));
                String json = nodeJson(cmd, warmup.toSeconds() + measure.toSeconds() + 120);
                String fps = field(json, "framesPerSecond");
                String lost = field(json, "lost");
                if (!fps.isEmpty() && "0".equals(lost)) {
                    nodeGenerator.put(n + "/" + t.name(), Double.parseDouble(fps));
                }
                report.generatorCheck.add(new String[] {String.valueOf(n), "Node (ws)", t.name(),
                        fps.isEmpty() ? "failed" : Report.num(Double.parseDouble(fps)), lost});
            }
        }
        for (int n : pairCounts) {
            OptionalDouble echo = Report.rate(report.throughput, Report.ECHO, n);
            OptionalDouble node = Report.rate(report.throughput, Report.NODE, n);
            Double nodeGenEcho = nodeGenerator.get(n + "/" + Report.ECHO);
            if (echo.isEmpty() || node.isEmpty()) {
                continue;
            }
            boolean javaLimits = nodeGenEcho != null && nodeGenEcho > 1.1 * echo.getAsDouble();
            report.notes.add(String.format(Locale.ROOT,
                    "generator check (%d pairs): the Java generator drove the TLS echo at %,.0f frames/s and the Node relay at %,.0f%s",
                    n, echo.getAsDouble(), node.getAsDouble(), nodeGenEcho == null ? "" : String.format(Locale.ROOT,
                            "; the Node generator drove the echo at %,.0f: %s", nodeGenEcho, javaLimits
                                    ? "the Java generator is the limit of the fast targets, so the relay's ratio to the Node relay is taken with the Node generator (table above)"
                                    : "the Java generator is not the bottleneck")));
            Double nodeGenNode = nodeGenerator.get(n + "/" + Report.NODE);
            Double nodeGenRelay = nodeGenerator.get(n + "/" + Report.RELAY);
            if (javaLimits && nodeGenNode != null && nodeGenRelay != null) {
                report.notes.add(String.format(Locale.ROOT,
                        "throughput with the faster (Node) generator, %d pairs: relay %,.0f, Node relay %,.0f frames/s: relay / Node relay = %.2fx",
                        n, nodeGenRelay, nodeGenNode, nodeGenRelay / nodeGenNode));
            }
        }
    }

    /** Runs a Node program of the bench and returns the last line it printed (its JSON), or "". */
    private static String nodeJson(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            json = in.lines().reduce((a, b) -> b).orElse("");
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return json;
    }

    static String field(String json, String name) {
        var m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*(-?[0-9.eE+]+)").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}

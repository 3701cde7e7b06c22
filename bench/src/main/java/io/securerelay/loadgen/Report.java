package io.securerelay.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/**
 * The results of one suite run as Markdown tables, with each scenario's figures also given as a
 * ratio to the baselines measured in the same run.
 */
final class Report {

    static final String RELAY = "relay (Payara Micro)";
    static final String NODE = "Node ws relay";
    static final String SERVER = "relay (Payara Server)";
    static final String ECHO = "direct TLS echo";

    final List<FrameLoad.Result> throughput = new ArrayList<>();
    final List<FrameLoad.Result> latency = new ArrayList<>();
    final List<IdleConnections.Result> idle = new ArrayList<>();
    final List<Churn.Result> churn = new ArrayList<>();
    final List<NodeChurn> churnNode = new ArrayList<>();

    /** One churn run of the Node generator (bench/node/churn.js): its JSON line, "" if it failed. */
    record NodeChurn(String target, String json) {
        double perSecond() {
            String v = Main.field(json, "perSecond");
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        }

        String get(String name) {
            String v = Main.field(json, name);
            return v.isEmpty() ? "-" : v;
        }
    }
    final List<EndToEnd.Result> endToEnd = new ArrayList<>();
    /** The desk scenario (issue 15), each with the in-process ceiling measured right after it. */
    final List<DeskLoad.Result> desk = new ArrayList<>();
    final List<EndToEnd.Result> deskCeiling = new ArrayList<>();
    /** The desk's messages/s must reach this share of the in-process ceiling's (issue 15's aim). */
    static final double DESK_AIM = 0.70;
    final List<FrameLoad.Result> clusterThroughput = new ArrayList<>();
    final List<FrameLoad.Result> clusterLatency = new ArrayList<>();
    /** Per cluster run: pairs, path, schedule, heap of A and B after a full GC, Redis CPU, load average. */
    final List<String[]> clusterResources = new ArrayList<>();
    final List<String[]> generatorCheck = new ArrayList<>();
    final Map<String, String> setup = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# secure-relay benchmark results\n\n");
        for (var e : setup.entrySet()) {
            md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        md.append('\n');
        if (!throughput.isEmpty()) {
            md.append("## 1. Throughput: 1 KiB frames, highest rate with no loss (closed loop)\n\n");
            md.append("| pairs | target | frames/s | vs Node relay | vs TLS echo | sent | lost | misrouted | out of order | errors | p50 ms | p99 ms |\n");
            md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (FrameLoad.Result r : throughput) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %,d | %d | %d | %d | %d | %s | %s |%s\n",
                        r.pairs(), r.target(), num(r.framesPerSecond()),
                        ratio(r.framesPerSecond(), rate(throughput, NODE, r.pairs())),
                        ratio(r.framesPerSecond(), rate(throughput, ECHO, r.pairs())),
                        r.sent(), r.lost(), r.misrouted(), r.outOfOrder(), r.errors(),
                        ms(r.latencyMicros(), 50), ms(r.latencyMicros(), 99), failure(r.failure())));
            }
            md.append('\n');
        }
        if (!latency.isEmpty()) {
            md.append("## 2. Latency at 50 % of the relay's highest rate (open loop, same offered load for every target)\n\n");
            md.append("Latency runs from the time a frame was due to leave (not when it left), so a stall cannot hide.\n\n");
            md.append("| pairs | target | offered frames/s | achieved | p50 ms | p99 ms | p99.9 ms | max ms | p99 vs Node relay | lost | misrouted |\n");
            md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (FrameLoad.Result r : latency) {
                OptionalDouble nodeP99 = latency.stream().filter(x -> x.target().equals(NODE) && x.pairs() == r.pairs())
                        .mapToDouble(x -> x.latencyMicros().getValueAtPercentile(99)).findFirst();
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |%s\n",
                        r.pairs(), r.target(), num(r.offeredPerSecond()), num(r.framesPerSecond()),
                        ms(r.latencyMicros(), 50), ms(r.latencyMicros(), 99), ms(r.latencyMicros(), 99.9),
                        ms(r.latencyMicros(), 100), ratio(r.latencyMicros().getValueAtPercentile(99), nodeP99),
                        r.lost(), r.misrouted(), failure(r.failure())));
            }
            md.append('\n');
        }
        if (!generatorCheck.isEmpty()) {
            md.append("## Is the generator the bottleneck?\n\n");
            md.append("The Java generator must drive the direct TLS echo at least as fast as the Node relay runs under it.\n");
            md.append("The Node generator (bench/node/load.js) is run against the same targets as a cross-check.\n\n");
            rows(md, "| pairs | generator | target | frames/s | lost |\n| ---: | --- | --- | ---: | ---: |\n", generatorCheck);
        }
        if (!idle.isEmpty()) {
            md.append("## 3. Idle registered connections\n\n");
            md.append("Measured right after the connections opened, and again once the relay had pinged every one of them\n"
                    + "(its keep-alive; a running relay pings every connection silent for the ping interval).\n\n");
            md.append("| target | connections | opened in s | per s | heap after GC before | after opening | per connection"
                    + " | after a keep-alive round | per connection | RSS before | after opening | after keep-alive | per connection"
                    + " | pinged | live probes |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (IdleConnections.Result r : idle) {
                OptionalLong rssLast = r.rssKeptAlive().isPresent() ? r.rssKeptAlive() : OptionalLong.of(r.rssAfter());
                md.append(String.format(Locale.ROOT,
                        "| %s | %,d | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %,d | %d/%d |%s\n",
                        r.target(), r.count(), r.openSeconds(), num(r.count() / r.openSeconds()),
                        mib(r.heapBefore()), mib(r.heapAfter()), perConn(r.heapBefore(), r.heapAfter(), r.count()),
                        mib(r.heapKeptAlive()), perConn(r.heapBefore(), r.heapKeptAlive(), r.count()),
                        mib(OptionalLong.of(r.rssBefore())), mib(OptionalLong.of(r.rssAfter())), mib(r.rssKeptAlive()),
                        perConn(OptionalLong.of(r.rssBefore()), rssLast, r.count()),
                        r.pinged(), r.probesOk(), r.probes(), failure(r.failure())));
            }
            md.append('\n');
        }
        if (!churn.isEmpty()) {
            md.append("## 4. Churn: new TLS connections with registration\n\n");
            md.append("Each connection: TCP, a full TLS 1.3 handshake (the generator resumes no session), WebSocket upgrade, and for a\n"
                    + "relay the signed registration; then a clean close. After " + Main.CHURN_WARMUP.toSeconds()
                    + " s of unmeasured churn per target. The echo does no registration: it is the floor of TLS + WebSocket alone.\n\n");
            md.append("| target | concurrent | connections/s | vs Node relay | p50 ms | p99 ms | max ms | failures |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            OptionalDouble node = churn.stream().filter(x -> x.target().equals(NODE)).mapToDouble(Churn.Result::perSecond).findFirst();
            for (Churn.Result r : churn) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %d |%s\n",
                        r.target(), r.concurrency(), num(r.perSecond()), ratio(r.perSecond(), node),
                        ms(r.connectMicros(), 50), ms(r.connectMicros(), 99), ms(r.connectMicros(), 100), r.failures(),
                        r.firstFailure() == null ? "" : " " + r.firstFailure()));
            }
            md.append('\n');
        }
        if (!churnNode.isEmpty()) {
            md.append("The same with the Node generator (bench/node/churn.js: one event loop, OpenSSL, full handshakes,\n"
                    + "no session resumption), right after the runs above:\n\n");
            md.append("| target | concurrent | connections/s | vs Node relay | p50 ms | p99 ms | max ms | failures | resumed | generator CPU s |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            OptionalDouble node = churnNode.stream().filter(x -> x.target().equals(NODE) && !Double.isNaN(x.perSecond()))
                    .mapToDouble(NodeChurn::perSecond).findFirst();
            for (NodeChurn r : churnNode) {
                if (Double.isNaN(r.perSecond())) {
                    md.append("| ").append(r.target()).append(" | failed | | | | | | | | |\n");
                    continue;
                }
                String cpu = r.get("cpuUserMs").equals("-") ? "-" : String.format(Locale.ROOT, "%.1f",
                        (Double.parseDouble(r.get("cpuUserMs")) + Double.parseDouble(r.get("cpuSystemMs"))) / 1000);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.target(),
                        r.get("chains"), num(r.perSecond()), ratio(r.perSecond(), node), r.get("p50ms"), r.get("p99ms"),
                        r.get("maxms"), r.get("failures"), r.get("resumed"), cpu));
            }
            md.append('\n');
        }
        if (!endToEnd.isEmpty()) {
            md.append("## 5. End-to-end encrypted sessions (crypto-ejb protocol through the relay)\n\n");
            md.append("Handshakes: INIT, RESPONSE, FINISH through the relay (3 signatures, 3 verifications, 2 ECDH).\n");
            md.append("Messages: 1 KiB text, sealed (AES-256-GCM + ECDSA signature) and opened (verified, decrypted, replay-checked), both ways, 8 in flight per direction.\n\n");
            md.append("| target | pairs | handshakes/s | vs Node relay | sealed messages/s | vs Node relay |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
            OptionalDouble nodeHs = endToEnd.stream().filter(x -> x.target().equals(NODE)).mapToDouble(EndToEnd.Result::handshakesPerSecond).findFirst();
            OptionalDouble nodeMs = endToEnd.stream().filter(x -> x.target().equals(NODE)).mapToDouble(EndToEnd.Result::messagesPerSecond).findFirst();
            for (EndToEnd.Result r : endToEnd) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%s\n", r.target(), r.pairs(),
                        num(r.handshakesPerSecond()), ratio(r.handshakesPerSecond(), nodeHs),
                        num(r.messagesPerSecond()), ratio(r.messagesPerSecond(), nodeMs), failure(r.failure())));
            }
            md.append('\n');
        }
        if (!desk.isEmpty()) {
            md.append("## 7. Bank desk: customers on one desk (issue 15)\n\n");
            md.append("The desk is its own process (java -jar client-app.jar desk, fresh key folder, H2 file database) behind the relay;\n");
            md.append("each customer has its own identity and routing key and runs the client's conversation engine over java.net.http.\n");
            md.append("Handshakes/s: customers over the time from the first INIT to the last SECURE (at most "
                    + DeskLoad.HANDSHAKES_IN_FLIGHT + " in flight). Texts: 1 KiB,\n");
            md.append("each customer keeps its outbox non-empty; stored/s = texts the desk acknowledged per second (it acknowledges only\n");
            md.append("what it committed to its database), in the measured window after the warm-up. The ceiling: the same crypto\n");
            md.append("in-process (seal + open of 1 KiB, no network, no database), measured right after, in the same run.\n\n");
            md.append("| customers | secure | handshakes/s | to secure p50 / p99 ms | in flight per customer | stored texts/s | ceiling texts/s | ratio | aim 70 % | ceiling handshakes/s |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n");
            for (int i = 0; i < desk.size(); i++) {
                DeskLoad.Result r = desk.get(i);
                EndToEnd.Result c = i < deskCeiling.size() ? deskCeiling.get(i) : null;
                double ratio = c == null ? Double.NaN : r.messagesPerSecond() / c.messagesPerSecond();
                md.append(String.format(Locale.ROOT, "| %,d | %,d | %s | %.0f / %.0f | %d | %s | %s | %s | %s | %s |%s\n",
                        r.customers(), r.secured(), num(r.handshakesPerSecond()), r.secureP50Ms(), r.secureP99Ms(),
                        r.depth(), num(r.messagesPerSecond()), c == null ? "n/a" : num(c.messagesPerSecond()),
                        Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * ratio),
                        Double.isNaN(ratio) ? "n/a" : ratio >= DESK_AIM ? "met" : "**not met**",
                        c == null ? "n/a" : num(c.handshakesPerSecond()), failure(r.failure())));
            }
            md.append("\n| texts sent | acknowledged | stored (desk's count) | lost | new handshakes after the first (in window) | customer frames per text (in window) | desk heap after GC | desk RSS | database file | generator CPU ms/text | CPU cores: generator / desk / relay | desk relay disconnects | load average after |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
            for (DeskLoad.Result r : desk) {
                md.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %,d | %d (%d) | %.2f | %s | %s | %s | %.3f | %.2f / %.2f / %.2f | %d | %s |\n",
                        r.sent(), r.acked(), r.stored(), r.sent() - r.acked(), r.rekeys(), r.windowRekeys(), r.framesPerText(),
                        mib(OptionalLong.of(r.deskHeapBytes())), mib(OptionalLong.of(r.deskRssBytes())),
                        mib(OptionalLong.of(r.databaseBytes())), r.generatorCpuMsPerMessage(), r.generatorCores(),
                        r.deskCores(), r.relayCores(), r.deskDisconnects(), r.loadAverage()));
            }
            for (DeskLoad.Result r : desk) {
                if (r.problems() > 0) {
                    md.append("\nProblems the customers' conversations reported (counted, not a failure: the conversation retries): ")
                            .append(r.problems()).append("; the first: ").append(r.firstProblem()).append('\n');
                }
            }
            md.append('\n');
        }
        if (!clusterThroughput.isEmpty()) {
            md.append("## 6. Cluster: across two instances against within one (same run, same cluster)\n\n");
            md.append("Side A of every pair on instance A; side B on instance A (same instance) or on instance B (across: each frame\n");
            md.append("goes through Redis: SPUBLISH to instance A's channel over TLS). Throughput closed loop; latency open loop\n");
            md.append("at 50 % of the across-instance rate.\n\n");
            md.append("| pairs | path | frames/s | across / same | lost | misrouted | out of order | p50 ms | p99 ms | p99.9 ms | p99 across / same |\n");
            md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (FrameLoad.Result r : clusterThroughput) {
                OptionalDouble same = clusterThroughput.stream()
                        .filter(x -> x.pairs() == r.pairs() && !x.target().contains("<->"))
                        .mapToDouble(FrameLoad.Result::framesPerSecond).findFirst();
                md.append(String.format(Locale.ROOT, "| %d | %s, %s | %s | %s | %d | %d | %d | %s | %s | %s | |%s\n",
                        r.pairs(), r.target(), r.schedule(), num(r.framesPerSecond()),
                        r.target().contains("<->") ? ratio(r.framesPerSecond(), same) : "",
                        r.lost(), r.misrouted(), r.outOfOrder(),
                        ms(r.latencyMicros(), 50), ms(r.latencyMicros(), 99), ms(r.latencyMicros(), 99.9),
                        failure(r.failure())));
            }
            for (FrameLoad.Result r : clusterLatency) {
                OptionalDouble same = clusterLatency.stream()
                        .filter(x -> x.pairs() == r.pairs() && !x.target().contains("<->"))
                        .mapToDouble(x -> x.latencyMicros().getValueAtPercentile(99)).findFirst();
                md.append(String.format(Locale.ROOT, "| %d | %s, open loop at %s/s | %s | | %d | %d | %d | %s | %s | %s | %s |%s\n",
                        r.pairs(), r.target(), num(r.offeredPerSecond()), num(r.framesPerSecond()),
                        r.lost(), r.misrouted(), r.outOfOrder(),
                        ms(r.latencyMicros(), 50), ms(r.latencyMicros(), 99), ms(r.latencyMicros(), 99.9),
                        r.target().contains("<->") ? ratio(r.latencyMicros().getValueAtPercentile(99), same) : "",
                        failure(r.failure())));
            }
            md.append('\n');
            if (!clusterResources.isEmpty()) {
                md.append("\nResources right after each run: heap of each instance after a full GC (jcmd GC.run), the CPU\n");
                md.append("redis-server used during the run (/proc, 100 % = one core), the machine's load averages (1, 5, 15 min).\n\n");
                rows(md, "| pairs | path | schedule | heap A | heap B | Redis CPU | load average |\n"
                        + "| ---: | --- | --- | ---: | ---: | ---: | ---: |\n", clusterResources);
            }
        }
        if (!notes.isEmpty()) {
            md.append("## Notes\n\n");
            for (String n : notes) {
                md.append("- ").append(n).append('\n');
            }
        }
        return md.toString();
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.md"), markdown(), StandardCharsets.UTF_8);
        for (IdleConnections.Result r : idle) {
            if (!r.histogram().isEmpty()) {
                Files.writeString(dir.resolve("idle-heap-histogram.txt"), "# " + r.target() + ", " + r.count()
                        + " idle connections open" + (r.heapKeptAlive().isPresent() ? ", after a keep-alive round" : "")
                        + " (jcmd GC.class_histogram before opening and now)\n" + r.histogram(), StandardCharsets.UTF_8);
            }
        }
        Charts.throughput(throughput, dir.resolve("throughput.png"));
        Charts.latency(latency, dir.resolve("latency.png"));
    }

    static OptionalDouble rate(List<FrameLoad.Result> results, String target, int pairs) {
        return results.stream().filter(r -> r.target().equals(target) && r.pairs() == pairs && r.failure() == null)
                .mapToDouble(FrameLoad.Result::framesPerSecond).findFirst();
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String ratio(double v, OptionalDouble base) {
        return base.isPresent() && base.getAsDouble() > 0 ? String.format(Locale.ROOT, "%.2fx", v / base.getAsDouble()) : "";
    }

    static String ms(Histogram h, double percentile) {
        if (h == null || h.getTotalCount() == 0) {
            return "";
        }
        long micros = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    /** A Markdown table: {@code header} (with its separator line), then one line per row, then a blank line. */
    private static void rows(StringBuilder md, String header, List<String[]> rows) {
        md.append(header);
        for (String[] row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        md.append('\n');
    }

    static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? String.format(Locale.ROOT, "%.0f MiB", bytes.getAsLong() / 1048576.0) : "n/a";
    }

    static String perConn(OptionalLong before, OptionalLong after, int count) {
        if (before.isEmpty() || after.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f KiB", (after.getAsLong() - before.getAsLong()) / 1024.0 / count);
    }

    private static String failure(String f) {
        return f == null ? "" : " **" + f + "**";
    }
}

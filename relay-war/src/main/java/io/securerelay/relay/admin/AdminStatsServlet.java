package io.securerelay.relay.admin;

import io.securerelay.relay.cluster.RelayCluster;
import io.securerelay.relay.monitoring.RelayCounters;
import io.securerelay.relay.monitoring.RelayMetrics;
import io.securerelay.relay.routing.Router;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Snapshot;

/**
 * {@code GET /admin/api/stats}: the live figures the console polls every second, as JSON. Totals,
 * not rates: the page derives frames/s and bytes/s from two polls. Session IDs appear only as
 * their short form (8 hex digits); no payload is ever seen here.
 */
@WebServlet("/admin/api/stats")
public class AdminStatsServlet extends HttpServlet {

    /** Pairs listed at most. */
    static final int MAX_PAIRS = 50;

    @Inject
    RelayMetrics metrics;

    @Inject
    Router router;

    @Inject
    RelayCluster cluster;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        RelayCounters c = metrics.counters();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        StringBuilder json = new StringBuilder(1024).append('{');
        field(json, "time", System.currentTimeMillis());
        field(json, "uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
        field(json, "connections", c.openConnections());
        field(json, "sessions", router.routeCount());
        field(json, "framesRelayed", c.framesRelayed());
        field(json, "bytesRelayed", c.bytesRelayed());
        field(json, "pendingBytes", c.pendingBytes());
        field(json, "heapUsed", heap.getUsed());
        field(json, "heapMax", heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        field(json, "threads", ManagementFactory.getThreadMXBean().getThreadCount());
        Histogram latency = c.latencyMicros();
        if (latency != null && latency.getCount() > 0) {
            Snapshot s = latency.getSnapshot();
            json.append("\"latencyMicros\":{");
            field(json, "p50", (long) percentile(s, 0.5));
            field(json, "p99", (long) percentile(s, 0.99));
            field(json, "max", (long) s.getMax());
            json.setLength(json.length() - 1);
            json.append("},");
        }
        json.append("\"rejections\":{");
        for (Map.Entry<RelayCounters.Reason, Long> e : c.rejections().entrySet()) {
            field(json, e.getKey().name(), e.getValue());
        }
        json.setLength(json.length() - 1);
        json.append("},\"cluster\":").append(cluster.json());
        json.append(",\"pairs\":[");
        List<String[]> pairs = router.activePairs(MAX_PAIRS);
        for (String[] p : pairs) {
            // Short session IDs are hex digits only: nothing to escape.
            json.append("[\"").append(p[0]).append("\",\"").append(p[1]).append("\"],");
        }
        if (!pairs.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append("]}");
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.getWriter().write(json.toString());
    }

    private static double percentile(Snapshot s, double p) {
        for (Snapshot.PercentileValue v : s.percentileValues()) {
            if (Math.abs(v.getPercentile() - p) < 1e-9) {
                return v.getValue();
            }
        }
        return s.getMean();
    }

    private static void field(StringBuilder json, String name, long value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }
}

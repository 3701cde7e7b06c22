package io.securerelay.loadgen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's live-object histogram ({@code jcmd GC.class_histogram}) and what grew between two of
 * them, per connection: which classes the idle connections cost, without a heap dump.
 */
record HeapHistogram(Map<String, long[]> classes) {

    // "   1:        966657      272050608  [B (java.base@17.0.15)"
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    /** Instances and bytes by class name (module suffix dropped). */
    static HeapHistogram parse(String jcmdOutput) {
        Map<String, long[]> m = new HashMap<>();
        for (String line : jcmdOutput.split("\n")) {
            Matcher x = LINE.matcher(line);
            if (x.matches()) {
                m.merge(x.group(3), new long[] {Long.parseLong(x.group(1)), Long.parseLong(x.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return new HeapHistogram(Map.copyOf(m));
    }

    /** One class's growth from {@code before} to this, divided by {@code per}. */
    record Growth(String className, double instances, double bytes) {
    }

    /** Every class that grew, largest growth in bytes first, each divided by {@code per}. */
    List<Growth> growthSince(HeapHistogram before, int per) {
        List<Growth> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : classes.entrySet()) {
            long[] b = before.classes.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - b[1];
            if (bytes > 0) {
                out.add(new Growth(e.getKey(), (e.getValue()[0] - b[0]) / (double) per, bytes / (double) per));
            }
        }
        out.sort(Comparator.comparingDouble(Growth::bytes).reversed());
        return out;
    }

    /** The first {@code top} lines of {@link #growthSince} as a plain-text table, with the total. */
    String growthTable(HeapHistogram before, int per, int top) {
        List<Growth> all = growthSince(before, per);
        double total = all.stream().mapToDouble(Growth::bytes).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "# live objects added per connection (%d connections): %.0f bytes in classes that grew%n"
                        + "%12s %12s  %s%n", per, total, "bytes/conn", "objects/conn", "class"));
        all.stream().limit(top).forEach(g -> sb.append(
                String.format(Locale.ROOT, "%12.0f %12.2f  %s%n", g.bytes(), g.instances(), g.className())));
        return sb.toString();
    }
}

package io.securerelay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * A second way to run {@link ProtocolBenchmark} on a shared, busy machine: the benchmark methods run
 * interleaved in short slices (every method sees the same background load) and are timed by this
 * thread's CPU time rather than by the wall clock, so other processes' load changes the result far
 * less than it changes JMH's throughput. Prints ops per CPU-second (mean and standard error over the
 * rounds) and the protocol overheads against the raw sums, computed within each round.
 * <pre>
 *   java -cp crypto-ejb/target/benchmarks.jar io.securerelay.bench.CpuTimeRunner [sliceMs] [rounds] [regex]
 * </pre>
 * Defaults: 200 ms slices, 15 rounds (after 3 warm-up rounds), every benchmark. JMH stays the reference;
 * this is for comparing within one run when the machine is loaded.
 */
public final class CpuTimeRunner {
    private static final String[][] PAIRS = {
        {"handshakeComplete", "rawHandshakePrimitivesSum"},
        {"handshakeNewPeers", "rawHandshakePrimitivesSumNewPeers"},
        {"sealOpen1KiB", "rawSealOpen1KiBPrimitivesSum"},
    };

    private CpuTimeRunner() {
    }

    public static void main(String[] args) throws Exception {
        long sliceNs = (args.length > 0 ? Long.parseLong(args[0]) : 200) * 1_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String regex = args.length > 2 ? args[2] : ".*";
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        if (!cpu.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("thread CPU time not supported by this JVM");
        }
        ProtocolBenchmark bench = new ProtocolBenchmark();
        bench.setup();
        List<Method> methods = new ArrayList<>();
        for (Method m : ProtocolBenchmark.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(Benchmark.class) && m.getName().matches(regex)) {
                methods.add(m);
            }
        }
        methods.sort(Comparator.comparing(Method::getName));
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (Method m : methods) {
            rates.put(m.getName(), new double[rounds]);
        }
        for (int r = -3; r < rounds; r++) {
            for (Method m : methods) {
                long start = cpu.getCurrentThreadCpuTime();
                long n = 0;
                long used;
                do {
                    call(m, bench);
                    n++;
                    used = cpu.getCurrentThreadCpuTime() - start;
                } while (used < sliceNs);
                if (r >= 0) {
                    rates.get(m.getName())[r] = n * 1e9 / used;
                }
            }
        }
        System.out.printf("%-36s %12s %10s%n", "benchmark (" + rounds + " rounds)", "ops/CPU-s", "stderr");
        rates.forEach((name, v) -> System.out.printf("%-36s %12.0f %10.0f%n", name, mean(v), stderr(v)));
        for (String[] p : PAIRS) {
            double[] proto = rates.get(p[0]);
            double[] raw = rates.get(p[1]);
            if (proto == null || raw == null) {
                continue;
            }
            double[] overhead = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                overhead[i] = 100 * (1 - proto[i] / raw[i]);
            }
            System.out.printf("overhead %s vs %s: %.1f %% +- %.1f (stderr)%n", p[0], p[1], mean(overhead), stderr(overhead));
        }
    }

    private static void call(Method m, Object target) throws Exception {
        try {
            m.invoke(target);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(m.getName() + " failed", e.getCause());
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double stderr(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1) / v.length);
    }
}

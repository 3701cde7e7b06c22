package io.securerelay.loadgen;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * New connections, one after the other on {@code concurrency} independent chains: TLS handshake,
 * WebSocket upgrade and (for a relay) the signed registration, then a clean close. Measures
 * connections per second and the time to a usable (registered) connection.
 */
final class Churn {

    record Result(String target, int concurrency, double seconds, long connections, double perSecond,
                  Histogram connectMicros, long failures, String firstFailure) {
    }

    private Churn() {
    }

    static Result run(Target target, int concurrency, Duration warmup, Duration measure, Clients clients,
            Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long until = from + measure.toNanos();
        Recorder times = new Recorder(3);
        AtomicLong done = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        CompletableFuture<?>[] chains = new CompletableFuture<?>[concurrency];
        for (int i = 0; i < concurrency; i++) {
            CompletableFuture<Void> chain = new CompletableFuture<>();
            chains[i] = chain;
            next(target, clients, from, until, times, done, failures, firstFailure, chain);
        }
        long tick = start + 1_000_000_000L;
        while (System.nanoTime() < until) {
            Thread.sleep(50); // waits for the clock, not for a result: the chains stop at `until`
            if (System.nanoTime() >= tick) {
                progress.tick(String.format("%s: %,d connections made", target.name(), done.get()));
                tick += 1_000_000_000L;
            }
        }
        try {
            CompletableFuture.allOf(chains).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            firstFailure.compareAndSet(null, "chains did not stop: " + e);
        }
        double seconds = measure.toNanos() / 1e9;
        return new Result(target.name(), concurrency, seconds, done.get(), done.get() / seconds,
                times.getIntervalHistogram(), failures.get(), firstFailure.get());
    }

    private static void next(Target target, Clients clients, long from, long until, Recorder times, AtomicLong done,
            AtomicLong failures, AtomicReference<String> firstFailure, CompletableFuture<Void> chain) {
        long t0 = System.nanoTime();
        if (t0 >= until) {
            chain.complete(null);
            return;
        }
        WsConnection.Handler ignore = (c, f) -> { };
        CompletableFuture<WsConnection> open = target.kind() == Target.Kind.RELAY
                ? clients.connectRegistered(target.uri(), clients.newKey(), ignore)
                : clients.connect(target.uri(), ignore);
        open.whenComplete((c, e) -> {
            long t1 = System.nanoTime();
            boolean counted = t0 >= from && t1 <= until;
            if (e != null) {
                if (counted) {
                    failures.incrementAndGet();
                }
                firstFailure.compareAndSet(null, String.valueOf(e));
                next(target, clients, from, until, times, done, failures, firstFailure, chain);
                return;
            }
            if (counted) {
                times.recordValue((t1 - t0) / 1000);
                done.incrementAndGet();
            }
            c.close().orTimeout(10, TimeUnit.SECONDS).whenComplete((code, err) -> {
                if (err != null) {
                    c.abort();
                }
                next(target, clients, from, until, times, done, failures, firstFailure, chain);
            });
        });
    }
}

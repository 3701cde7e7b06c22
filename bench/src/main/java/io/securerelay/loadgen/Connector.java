package io.securerelay.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/** Opens many connections with a bounded number of handshakes in flight, and closes them. */
final class Connector {

    private Connector() {
    }

    /**
     * Opens {@code count} connections ({@code open.apply(i)} starts the i-th), at most
     * {@code concurrency} at a time. Fails with the first error, or if all are not open within
     * {@code timeout}; the connections already open are then closed.
     */
    static List<WsConnection> openAll(int count, int concurrency, Duration timeout,
            IntFunction<CompletableFuture<WsConnection>> open) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<WsConnection>> all = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            CompletableFuture<WsConnection> f = open.apply(i);
            f.whenComplete((c, e) -> slots.release());
            all.add(f);
            if (f.isCompletedExceptionally()) {
                break;
            }
        }
        CompletableFuture<Void> every = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        try {
            every.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            closeAll(opened(all), Duration.ofSeconds(10));
            long ok = all.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(ok + " of " + count + " connections opened; first failure: " + cause, cause);
        }
        if (all.size() < count) {
            closeAll(opened(all), Duration.ofSeconds(10));
            throw new IllegalStateException("only " + all.size() + " of " + count + " connections started in " + timeout.toSeconds() + " s");
        }
        return opened(all);
    }

    private static List<WsConnection> opened(List<CompletableFuture<WsConnection>> all) {
        List<WsConnection> out = new ArrayList<>();
        for (CompletableFuture<WsConnection> f : all) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                out.add(f.join());
            }
        }
        return out;
    }

    /** Closes every connection (closing handshake), aborting those not closed within {@code timeout}. */
    static void closeAll(List<WsConnection> connections, Duration timeout) {
        List<CompletableFuture<Integer>> closing = new ArrayList<>(connections.size());
        for (WsConnection c : connections) {
            closing.add(c.close());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Some did not finish their closing handshake (or failed): dropped below.
        }
        for (WsConnection c : connections) {
            if (!c.closed().isDone() || c.closed().isCompletedExceptionally()) {
                c.abort();
            }
        }
    }
}

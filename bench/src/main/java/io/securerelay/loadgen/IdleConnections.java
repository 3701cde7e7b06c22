package io.securerelay.loadgen;

import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RoutingKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Many idle registered connections held open at once: how long they take to open, and what they
 * cost the server (heap right after a full GC, resident memory), before and after. A sample of
 * them then carries one frame each, to show they are live and routed, not just open sockets.
 */
final class IdleConnections {

    /**
     * {@code heapAfter}, {@code rssAfter}: right after the connections opened and the probes went
     * through. {@code heapKeptAlive}, {@code rssKeptAlive}: again once every connection has had a
     * keep-alive ping from the server ({@code pinged} of them did within the wait): what idle
     * connections cost in a running relay, which pings every silent connection. Empty when not
     * waited for (no wait asked, or a server that never pings).
     */
    record Result(String target, int count, double openSeconds, OptionalLong heapBefore, OptionalLong heapAfter,
                  long rssBefore, long rssAfter, int probesOk, int probes, OptionalLong heapKeptAlive,
                  OptionalLong rssKeptAlive, int pinged, String failure, String histogram) {
    }

    private IdleConnections() {
    }

    /**
     * Opens {@code count} registered connections and measures; then, for a target that pings, waits
     * up to {@code keepAliveWait} for every connection's first ping and measures again (zero: no
     * second measurement).
     */
    static Result run(Target target, int count, Clients clients, Progress progress, Duration keepAliveWait)
            throws Exception {
        OptionalLong heapBefore = target.heapAfterGcBytes();
        long rssBefore = target.rssBytes();
        String histogramBefore = target.classHistogram(false);
        boolean relay = target.kind() == Target.Kind.RELAY;
        RoutingKey[] keys = new RoutingKey[count];
        for (int i = 0; i < count; i++) {
            keys[i] = relay ? clients.newKey() : null;
        }
        ConcurrentHashMap<Long, CompletableFuture<Void>> probes = new ConcurrentHashMap<>();
        WsConnection.Handler handler = (c, frame) -> {
            byte type = frame.get(frame.position() + 1);
            if (type == (relay ? RelayCodec.TYPE_DELIVER : RelayCodec.TYPE_SEND)
                    && frame.remaining() == RelayCodec.ROUTED_HEADER + 8) {
                CompletableFuture<Void> p = probes.get(frame.getLong(frame.position() + RelayCodec.ROUTED_HEADER));
                if (p != null) {
                    p.complete(null);
                }
            }
        };
        Thread ticker = ticker(target, count, progress);
        long t0 = System.nanoTime();
        List<WsConnection> open;
        try {
            open = Connector.openAll(count, 128, Duration.ofSeconds(300), i -> relay
                    ? clients.connectRegistered(target.uri(), keys[i], handler)
                    : clients.connect(target.uri(), handler));
        } finally {
            ticker.interrupt();
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            int sample = Math.min(100, count / 2);
            Random r = new Random(42);
            CompletableFuture<?>[] waits = new CompletableFuture<?>[sample];
            for (int k = 0; k < sample; k++) {
                int from = r.nextInt(count);
                int to = relay ? r.nextInt(count) : from;
                long token = r.nextLong();
                CompletableFuture<Void> got = new CompletableFuture<>();
                probes.put(token, got);
                waits[k] = got;
                ByteBuffer b = ByteBuffer.allocate(RelayCodec.ROUTED_HEADER + 8);
                b.put(Clients.sendHeader(relay ? keys[to].sessionId() : null)).putLong(token).clear();
                open.get(from).send(b);
            }
            try {
                CompletableFuture.allOf(waits).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted below
            }
            int ok = 0;
            for (CompletableFuture<?> w : waits) {
                ok += w.isDone() && !w.isCompletedExceptionally() ? 1 : 0;
            }
            long stillOpen = open.stream().filter(WsConnection::isOpen).count();
            OptionalLong heapAfter = target.heapAfterGcBytes();
            long rssAfter = target.rssBytes();
            OptionalLong heapKeptAlive = OptionalLong.empty();
            OptionalLong rssKeptAlive = OptionalLong.empty();
            int pinged = (int) open.stream().filter(c -> c.pinged().isDone()).count();
            if (!keepAliveWait.isZero() && target.kind() == Target.Kind.RELAY && target.jvm()) {
                progress.tick(String.format("%s: waiting up to %d s for every connection's keep-alive ping (%,d so far)",
                        target.name(), keepAliveWait.toSeconds(), pinged));
                try {
                    CompletableFuture.allOf(open.stream().map(WsConnection::pinged).toArray(CompletableFuture[]::new))
                            .get(keepAliveWait.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // reported as the number pinged
                }
                pinged = (int) open.stream().filter(c -> c.pinged().isDone()).count();
                stillOpen = open.stream().filter(WsConnection::isOpen).count();
                heapKeptAlive = target.heapAfterGcBytes();
                rssKeptAlive = OptionalLong.of(target.rssBytes());
            }
            // What the heap holds with every connection open, and what each connection added:
            // the evidence for any memory work.
            String histogramAfter = target.classHistogram(true);
            String histogram = histogramAfter.isEmpty() ? "" : HeapHistogram.parse(histogramAfter)
                    .growthTable(HeapHistogram.parse(histogramBefore), count, 40)
                    + "\n# the whole heap with the connections open (top 45 classes)\n"
                    + histogramAfter.lines().limit(45).collect(Collectors.joining("\n", "", "\n"));
            String failure = stillOpen == count ? null : (count - stillOpen) + " connections closed while idle";
            return new Result(target.name(), count, openSeconds, heapBefore, heapAfter, rssBefore, rssAfter, ok, sample,
                    heapKeptAlive, rssKeptAlive, pinged, failure, histogram);
        } finally {
            Connector.closeAll(open, Duration.ofSeconds(60));
        }
    }

    private static Thread ticker(Target target, int count, Progress progress) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(2_000); // progress display only: no result depends on it
                    progress.tick(String.format("%s: opening %,d connections, resident memory %,d MiB", target.name(),
                            count, target.rssBytes() >> 20));
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "idle-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }
}

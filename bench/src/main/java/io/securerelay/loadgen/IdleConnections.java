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

/**
 * Many idle registered connections held open at once: how long they take to open, and what they
 * cost the server (heap right after a full GC, resident memory), before and after. A sample of
 * them then carries one frame each, to show they are live and routed, not just open sockets.
 */
final class IdleConnections {

    record Result(String target, int count, double openSeconds, OptionalLong heapBefore, OptionalLong heapAfter,
                  long rssBefore, long rssAfter, int probesOk, int probes, String failure, String histogram) {
    }

    private IdleConnections() {
    }

    static Result run(Target target, int count, Clients clients, Progress progress) throws Exception {
        OptionalLong heapBefore = target.heapAfterGcBytes();
        long rssBefore = target.rssBytes();
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
            // What the heap holds with every connection open: the evidence for any memory work.
            String histogram = target.classHistogram(45);
            String failure = stillOpen == count ? null : (count - stillOpen) + " connections closed while idle";
            return new Result(target.name(), count, openSeconds, heapBefore, heapAfter, rssBefore, rssAfter, ok, sample,
                    failure, histogram);
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

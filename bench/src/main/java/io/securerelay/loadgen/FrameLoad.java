package io.securerelay.loadgen;

import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Frames between pairs of connections through one target, every frame checked on arrival.
 *
 * <p>Relay targets: pair i is two registered connections A_i and B_i, each sending to the other
 * (two flows). Echo targets: two connections per pair, each sending to itself through the echo,
 * so the frame count and sizes match. Every frame carries, after the 18-byte SEND/DELIVER head,
 * its pair, direction, sequence number and the time it was (meant to be) sent; the receiver
 * checks it came from the right peer to the right connection, in order, exactly once.
 *
 * <p>Two schedules: closed loop (each flow keeps {@code window} frames in flight: the highest rate
 * the target sustains) and open loop (frames leave at fixed times whatever the target does;
 * latency is measured from the time a frame was due, so a stalled target cannot hide its delay).
 */
final class FrameLoad implements AutoCloseable {

    static final int PAYLOAD_HEAD = 4 + 1 + 8 + 8;

    /** What one run measured. */
    record Result(String target, int pairs, String schedule, double offeredPerSecond, double framesPerSecond,
                  long sent, long received, long lost, long misrouted, long outOfOrder, long duplicates, long errors,
                  Histogram latencyMicros, String failure) {

        boolean clean() {
            return failure == null && lost == 0 && misrouted == 0 && outOfOrder == 0 && duplicates == 0 && errors == 0;
        }
    }

    private final Target target;
    private final String label;
    private final int pairs;
    private final int size;
    private final Flow[] flows;
    private final List<WsConnection> connections;
    private final LongAdder received = new LongAdder();
    private final AtomicLong misrouted = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Recorder latency = new Recorder(3);
    private volatile boolean running;
    private volatile long recordFrom = Long.MAX_VALUE;
    private volatile long recordUntil = Long.MAX_VALUE;
    private volatile int window;
    private Duration drainTimeout = Duration.ofSeconds(15);

    private FrameLoad(Target target, Target sideB, int pairs, int size, Clients clients, Duration connectTimeout)
            throws InterruptedException {
        this.target = target;
        this.label = sideB == target ? target.name() : target.name() + " <-> " + sideB.name();
        this.pairs = pairs;
        this.size = size;
        this.flows = new Flow[2 * pairs];
        boolean relay = target.kind() == Target.Kind.RELAY;
        RoutingKey[] keys = new RoutingKey[2 * pairs];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = relay ? clients.newKey() : null;
        }
        WsConnection.Handler handler = this::onFrame;
        // Side A of each pair (even index) on `target`, side B (odd) on `sideB`: another instance
        // of a cluster, or the same target.
        connections = Connector.openAll(2 * pairs, 64, connectTimeout, i -> relay
                ? clients.connectRegistered((i % 2 == 0 ? target : sideB).uri(), keys[i], handler)
                : clients.connect(target.uri(), handler));
        for (int p = 0; p < pairs; p++) {
            for (int d = 0; d < 2; d++) {
                WsConnection from = connections.get(2 * p + d);
                WsConnection to = relay ? connections.get(2 * p + 1 - d) : from;
                SessionId fromId = relay ? keys[2 * p + d].sessionId() : null;
                SessionId toId = relay ? keys[2 * p + 1 - d].sessionId() : null;
                flows[2 * p + d] = new Flow(p, d, from, to, fromId == null ? null : fromId.toBytes(),
                        Clients.sendHeader(toId));
            }
        }
        for (WsConnection c : connections) {
            c.closed().whenComplete((code, e) -> {
                if (running) {
                    failure.compareAndSet(null, "a connection closed during the run: " + (e != null ? e : "code " + code));
                }
            });
        }
    }

    /** Opens 2 x {@code pairs} connections to {@code target} (registered, for a relay). */
    static FrameLoad open(Target target, int pairs, int size, Clients clients) throws InterruptedException {
        return open(target, target, pairs, size, clients);
    }

    /** As {@link #open(Target, int, int, Clients)}, with side B of every pair connected to {@code sideB}. */
    static FrameLoad open(Target target, Target sideB, int pairs, int size, Clients clients)
            throws InterruptedException {
        return new FrameLoad(target, sideB, pairs, size, clients, Duration.ofSeconds(60 + pairs / 10));
    }

    /** How long the end of a run waits for frames still in flight (15 s unless changed). */
    FrameLoad drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
        return this;
    }

    /** Closed loop: every flow keeps {@code window} frames in flight for warm-up plus measurement. */
    Result closedLoop(int window, Duration warmup, Duration measure, Progress progress) throws InterruptedException {
        this.window = window;
        running = true;
        long start = System.nanoTime();
        recordFrom = start + warmup.toNanos();
        recordUntil = recordFrom + measure.toNanos();
        for (Flow f : flows) {
            f.pump();
        }
        return finish("closed loop, window " + window, 0, start, progress);
    }

    /** Open loop: {@code perSecond} frames in total, spread evenly over the flows. */
    Result openLoop(double perSecond, Duration warmup, Duration measure, Progress progress) throws InterruptedException {
        this.window = 0;
        running = true;
        long start = System.nanoTime();
        recordFrom = start + warmup.toNanos();
        recordUntil = recordFrom + measure.toNanos();
        double period = flows.length * 1e9 / perSecond;
        long[] due = new long[flows.length];
        for (int i = 0; i < flows.length; i++) {
            due[i] = start + (long) (period * i / flows.length);
        }
        Thread pacer = new Thread(() -> {
            while (running) {
                long now = System.nanoTime();
                if (now >= recordUntil) {
                    break;
                }
                for (int i = 0; i < flows.length; i++) {
                    while (due[i] <= now) {
                        flows[i].sendOne(due[i]);
                        due[i] = (long) (due[i] + period);
                    }
                }
                LockSupport.parkNanos(50_000);
            }
        }, "pacer");
        pacer.setDaemon(true);
        pacer.start();
        Result r = finish("open loop", perSecond, start, progress);
        pacer.join(5_000);
        return r;
    }

    private Result finish(String schedule, double offered, long start, Progress progress) throws InterruptedException {
        long measuredFrom = -1;
        long atStart = 0;
        long nextTick = start + 1_000_000_000L;
        while (System.nanoTime() < recordUntil && failure.get() == null) {
            long now = System.nanoTime();
            if (measuredFrom < 0 && now >= recordFrom) {
                measuredFrom = now;
                atStart = received.sum();
            }
            if (now >= nextTick) {
                progress.tick(String.format("%s, %d pairs, %s: %,d frames received", label, pairs, schedule,
                        received.sum()));
                nextTick += 1_000_000_000L;
            }
            LockSupport.parkNanos(Math.min(10_000_000L, Math.max(1, recordUntil - now)));
        }
        long measuredUntil = System.nanoTime();
        long atEnd = received.sum();
        running = false;
        // Drain: every frame sent must arrive; wait for the ones still in flight.
        long drainDeadline = System.nanoTime() + drainTimeout.toNanos();
        while (System.nanoTime() < drainDeadline && failure.get() == null && !drained()) {
            LockSupport.parkNanos(10_000_000L);
        }
        long sent = 0;
        long got = 0;
        long outOfOrder = 0;
        long duplicates = 0;
        long lost = 0;
        for (Flow f : flows) {
            sent += f.sent.get();
            got += f.received.get();
            outOfOrder += f.outOfOrder();
            duplicates += f.duplicates();
            lost += f.lost();
        }
        double seconds = measuredFrom < 0 ? 0 : (measuredUntil - measuredFrom) / 1e9;
        double rate = seconds == 0 ? 0 : (atEnd - atStart) / seconds;
        return new Result(label, pairs, schedule, offered, rate, sent, got, lost, misrouted.get(), outOfOrder,
                duplicates, errors.get(), latency.getIntervalHistogram(), failure.get());
    }

    private boolean drained() {
        for (Flow f : flows) {
            if (f.lost() > 0) {
                return false;
            }
        }
        return true;
    }

    private void onFrame(WsConnection on, ByteBuffer frame) {
        long now = System.nanoTime();
        int type = frame.get(frame.position() + 1);
        int base = frame.position();
        if (target.kind() == Target.Kind.RELAY ? type != RelayCodec.TYPE_DELIVER : type != RelayCodec.TYPE_SEND) {
            if (type == RelayCodec.TYPE_ERROR) {
                errors.incrementAndGet();
            } else {
                misrouted.incrementAndGet();
            }
            return;
        }
        if (frame.remaining() != RelayCodec.ROUTED_HEADER + size) {
            misrouted.incrementAndGet();
            return;
        }
        int p = base + RelayCodec.ROUTED_HEADER;
        int pair = frame.getInt(p);
        int dir = frame.get(p + 4);
        long seq = frame.getLong(p + 5);
        long sentAt = frame.getLong(p + 13);
        if (pair < 0 || pair >= pairs || (dir != 0 && dir != 1)) {
            misrouted.incrementAndGet();
            return;
        }
        Flow f = flows[2 * pair + dir];
        if (f.to != on || (f.fromId != null && !sameId(frame, base + 2, f.fromId))) {
            misrouted.incrementAndGet();
            return;
        }
        f.arrived(seq);
        received.increment();
        if (sentAt >= recordFrom && sentAt < recordUntil) {
            latency.recordValue(Math.max(0, (now - sentAt) / 1000));
        }
        if (window > 0) {
            f.pump();
        }
    }

    private static boolean sameId(ByteBuffer frame, int at, byte[] id) {
        for (int i = 0; i < id.length; i++) {
            if (frame.get(at + i) != id[i]) {
                return false;
            }
        }
        return true;
    }

    /** Frames from one connection to one receiver. */
    private final class Flow {
        final int pair;
        final int dir;
        final WsConnection from;
        final WsConnection to;
        final byte[] fromId;
        final byte[] header;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        // Guarded by this flow's lock (written by the receiving connection's thread, one message
        // at a time; read when the run ends).
        long expected;
        long outOfOrder;
        long duplicates;
        /** Sequence numbers skipped over by a later frame: lost unless they still arrive (late). */
        final java.util.TreeSet<Long> missing = new java.util.TreeSet<>();

        Flow(int pair, int dir, WsConnection from, WsConnection to, byte[] fromId, byte[] header) {
            this.pair = pair;
            this.dir = dir;
            this.from = from;
            this.to = to;
            this.fromId = fromId;
            this.header = header;
        }

        synchronized void pump() {
            while (running && sent.get() - received.get() < window) {
                sendOne(System.nanoTime());
            }
        }

        void sendOne(long stamp) {
            long seq = sent.getAndIncrement();
            ByteBuffer b = ByteBuffer.allocate(RelayCodec.ROUTED_HEADER + size);
            b.put(header).putInt(pair).put((byte) dir).putLong(seq).putLong(stamp);
            b.clear();
            from.send(b);
        }

        synchronized void arrived(long seq) {
            if (seq == expected) {
                expected++;
            } else if (seq > expected) {
                for (long s = expected; s < seq; s++) {
                    missing.add(s);
                }
                outOfOrder++;
                expected = seq + 1;
            } else if (missing.remove(seq)) {
                outOfOrder++; // late: it was skipped over, now it is here
            } else {
                duplicates++;
            }
            received.incrementAndGet();
        }

        /** Frames sent that never arrived: skipped over and never late, or after the last one seen. */
        synchronized long lost() {
            return missing.size() + Math.max(0, sent.get() - expected);
        }

        synchronized long outOfOrder() {
            return outOfOrder;
        }

        synchronized long duplicates() {
            return duplicates;
        }
    }

    @Override
    public void close() {
        running = false;
        Connector.closeAll(connections, Duration.ofSeconds(15));
    }

    @Override
    public String toString() {
        return "FrameLoad[" + target.name() + ", " + pairs + " pairs, " + size + " B]";
    }
}

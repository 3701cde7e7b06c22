package io.securerelay.relay.monitoring;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;

/**
 * The relay's hot-path counters: a plain, final, lock-free object that connections hold directly
 * (no CDI proxy on the path of a frame). Every update is one or two {@link LongAdder} increments
 * (the MicroProfile counters of Payara are {@code LongAdder}s too) and allocates nothing. Relay
 * latency goes to a MicroProfile {@link Histogram} for one frame in {@value #LATENCY_SAMPLE_EVERY}
 * only: Payara's histogram reservoir takes a read lock and allocates a skip-list node per update.
 * Registered, named and read by {@link RelayMetrics}.
 */
public final class RelayCounters {

    /** One relayed frame in this many has its latency recorded (chosen at random, unbiased). */
    public static final int LATENCY_SAMPLE_EVERY = 16;

    /**
     * Why the relay refused something: the close code it closed a connection with, or the ERROR
     * code it answered a SEND with. The names are the constants of {@link RelayCloseCodes} and
     * {@link ErrorCode}, and the {@code reason} tag of {@code relay_rejections_total}.
     */
    public enum Reason {
        PROTOCOL_ERROR(RelayCloseCodes.PROTOCOL_ERROR),
        UNSUPPORTED_DATA(RelayCloseCodes.UNSUPPORTED_DATA),
        INVALID_PAYLOAD(RelayCloseCodes.INVALID_PAYLOAD),
        POLICY_VIOLATION(RelayCloseCodes.POLICY_VIOLATION),
        TOO_BIG(RelayCloseCodes.TOO_BIG),
        INTERNAL_ERROR(RelayCloseCodes.INTERNAL_ERROR),
        TAKEN_OVER(RelayCloseCodes.TAKEN_OVER),
        REGISTRATION_TIMEOUT(RelayCloseCodes.REGISTRATION_TIMEOUT),
        REGISTRATION_INVALID(RelayCloseCodes.REGISTRATION_INVALID),
        IDLE_TIMEOUT(RelayCloseCodes.IDLE_TIMEOUT),
        SLOW_CONSUMER(RelayCloseCodes.SLOW_CONSUMER),
        TOO_MANY_CONNECTIONS(RelayCloseCodes.TOO_MANY_CONNECTIONS),
        RATE_LIMITED(RelayCloseCodes.RATE_LIMITED),
        /** Another close code the relay used (none today). */
        OTHER_CLOSE(0),
        PEER_NOT_CONNECTED(-1),
        DELIVERY_FAILED(-1);

        final int closeCode;

        Reason(int closeCode) {
            this.closeCode = closeCode;
        }

        static Reason ofCloseCode(int code) {
            for (Reason r : VALUES) {
                if (r.closeCode == code) {
                    return r;
                }
            }
            return OTHER_CLOSE;
        }

        static Reason of(ErrorCode code) {
            return code == ErrorCode.PEER_NOT_CONNECTED ? PEER_NOT_CONNECTED : DELIVERY_FAILED;
        }

        private static final Reason[] VALUES = values();
    }

    private final LongAdder openConnections = new LongAdder();
    private final LongAdder pendingBytes = new LongAdder();
    private final Counter framesRelayed;
    private final Counter bytesRelayed;
    private final Counter[] rejections;
    private final Histogram latencyMicros;

    RelayCounters(Counter framesRelayed, Counter bytesRelayed, Function<Reason, Counter> rejection,
            Histogram latencyMicros) {
        this.framesRelayed = framesRelayed;
        this.bytesRelayed = bytesRelayed;
        this.rejections = new Counter[Reason.VALUES.length];
        for (Reason r : Reason.VALUES) {
            rejections[r.ordinal()] = rejection.apply(r);
        }
        this.latencyMicros = latencyMicros;
    }

    /** Counters registered nowhere (unit tests, or a container without MicroProfile Metrics). */
    public static RelayCounters unregistered() {
        return new RelayCounters(new LocalCounter(), new LocalCounter(), r -> new LocalCounter(), null);
    }

    public void connectionOpened() {
        openConnections.increment();
    }

    public void connectionClosed() {
        openConnections.decrement();
    }

    /** Bytes queued for some receiver (positive) or written or dropped (negative). */
    public void pending(long delta) {
        pendingBytes.add(delta);
    }

    /**
     * A DELIVER frame of {@code bytes} was written to its receiver; the SEND it carries was
     * received at {@code receivedNanos} ({@link System#nanoTime()}).
     */
    public void relayed(int bytes, long receivedNanos) {
        framesRelayed.inc();
        bytesRelayed.inc(bytes);
        Histogram h = latencyMicros;
        if (h != null && ThreadLocalRandom.current().nextInt(LATENCY_SAMPLE_EVERY) == 0) {
            h.update((System.nanoTime() - receivedNanos) / 1000);
        }
    }

    /** The relay closed a connection with {@code closeCode}. */
    public void closed(int closeCode) {
        rejections[Reason.ofCloseCode(closeCode).ordinal()].inc();
    }

    /** The relay answered a SEND with an ERROR frame. */
    public void refused(ErrorCode code) {
        rejections[Reason.of(code).ordinal()].inc();
    }

    public long openConnections() {
        return openConnections.sum();
    }

    public long pendingBytes() {
        return pendingBytes.sum();
    }

    public long framesRelayed() {
        return framesRelayed.getCount();
    }

    public long bytesRelayed() {
        return bytesRelayed.getCount();
    }

    /** Rejections so far by reason, every reason present (zero included), in declaration order. */
    public Map<Reason, Long> rejections() {
        Map<Reason, Long> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.VALUES) {
            m.put(r, rejections[r.ordinal()].getCount());
        }
        return m;
    }

    /** The latency histogram (microseconds, sampled), or {@code null} when unregistered. */
    public Histogram latencyMicros() {
        return latencyMicros;
    }

    /** A counter outside any registry (for {@link #unregistered()} and tests): a {@code LongAdder}, like Payara's. */
    public static final class LocalCounter implements Counter {
        private final LongAdder count = new LongAdder();

        @Override
        public void inc() {
            count.increment();
        }

        @Override
        public void inc(long n) {
            count.add(n);
        }

        @Override
        public long getCount() {
            return count.sum();
        }
    }
}

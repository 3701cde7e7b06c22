package io.securerelay.loadgen;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.protocol.Handshake;
import io.securerelay.protocol.InitiatorHandshake;
import io.securerelay.protocol.MessageKind;
import io.securerelay.protocol.OpenedMessage;
import io.securerelay.protocol.ResponderHandshake;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RoutingKey;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Real end-to-end encrypted sessions through a relay, with the crypto-ejb protocol: pairs of a
 * "bank" and a "customer" side, each with its own identity key, run complete signed handshakes
 * (INIT, RESPONSE, FINISH) through the relay back to back, then exchange sealed, signed 1 KiB
 * messages both ways (each opened: signature verified, decrypted, replay-checked, in order).
 * Also measured in-process, without any network, as the ceiling the crypto sets.
 */
final class EndToEnd {

    record Result(String target, int pairs, double handshakesPerSecond, long handshakes, double messagesPerSecond,
                  long messages, String failure) {
    }

    private static final byte INIT = 1;
    private static final byte RESPONSE = 2;
    private static final byte FINISH = 3;
    private static final byte SEALED = 4;
    private static final int BODY = 1024;
    private static final int WINDOW = 8;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();
    private final AtomicLong handshakes = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean handshaking;
    private volatile boolean messaging;
    private Pair[] pairs;

    /** In-process: {@code threads} threads of handshakes, then of seal+open, no relay. */
    static Result inProcess(int threads, Duration warmup, Duration measure) throws Exception {
        EndToEnd e = new EndToEnd();
        IdentityKeyPair bank = IdentityKeyPair.generate(e.random);
        IdentityKeyPair customer = IdentityKeyPair.generate(e.random);
        double hs = e.loop(threads, warmup, measure, () -> {
            RoutingKey a = RoutingKey.generate(e.random);
            RoutingKey b = RoutingKey.generate(e.random);
            e.handshake(bank, customer, a, b, new InMemoryPeerTrustStore("customer"), new InMemoryPeerTrustStore("bank"));
        });
        // One session per thread, as one conversation is driven by one thread.
        ThreadLocal<SecureSession[]> sessions = ThreadLocal.withInitial(() -> {
            try {
                return e.handshake(bank, customer, RoutingKey.generate(e.random), RoutingKey.generate(e.random),
                        new InMemoryPeerTrustStore("customer"), new InMemoryPeerTrustStore("bank"));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        byte[] body = new byte[BODY];
        double ms = e.loop(threads, warmup, measure, () -> {
            SecureSession[] s = sessions.get();
            s[1].open(s[0].seal(MessageKind.TEXT, body));
        });
        return new Result("in-process, no network (" + threads + " threads)", threads, hs, 0, ms, 0, e.failure.get());
    }

    private SecureSession[] handshake(IdentityKeyPair bank, IdentityKeyPair customer, RoutingKey a, RoutingKey b,
            PeerTrustStore bankTrust, PeerTrustStore customerTrust) throws Exception {
        InitiatorHandshake i = Handshake.initiator(bank, a.sessionId(), b.sessionId(), bankTrust, SessionPolicy.DEFAULT,
                clock, random);
        ResponderHandshake r = Handshake.responder(customer, b.sessionId(), a.sessionId(), customerTrust,
                SessionPolicy.DEFAULT, clock, random);
        r.receiveFinish(i.receiveResponse(r.receiveInit(i.createInit())));
        return new SecureSession[] {i.session(), r.session()};
    }

    private interface Work {
        void run() throws Exception;
    }

    private double loop(int threads, Duration warmup, Duration measure, Work work) throws InterruptedException {
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long until = from + measure.toNanos();
        AtomicLong counted = new AtomicLong();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= until) {
                            return;
                        }
                        work.run();
                        if (t0 >= from && System.nanoTime() <= until) {
                            counted.incrementAndGet();
                        }
                    }
                } catch (Exception ex) {
                    failure.compareAndSet(null, ex.toString());
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return counted.get() / (measure.toNanos() / 1e9);
    }

    /** Through {@code target}: {@code pairCount} pairs, handshakes then sealed messages. */
    static Result run(Target target, int pairCount, Duration warmup, Duration measure, Clients clients,
            Progress progress) throws Exception {
        EndToEnd e = new EndToEnd();
        return e.through(target, pairCount, warmup, measure, clients, progress);
    }

    private Result through(Target target, int pairCount, Duration warmup, Duration measure, Clients clients,
            Progress progress) throws Exception {
        pairs = new Pair[pairCount];
        RoutingKey[] keys = new RoutingKey[2 * pairCount];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = clients.newKey();
        }
        for (int p = 0; p < pairCount; p++) {
            pairs[p] = new Pair(keys[2 * p], keys[2 * p + 1]);
        }
        List<WsConnection> connections = Connector.openAll(2 * pairCount, 64, Duration.ofSeconds(60),
                i -> clients.connectRegistered(target.uri(), keys[i], (c, f) -> onFrame(i / 2, i % 2, f)));
        for (int p = 0; p < pairCount; p++) {
            pairs[p].bankLink = connections.get(2 * p);
            pairs[p].customerLink = connections.get(2 * p + 1);
        }
        try {
            handshaking = true;
            for (Pair p : pairs) {
                p.startHandshake();
            }
            double hs = measure(warmup, measure, handshakes, progress, target.name() + ": handshakes");
            handshaking = false;
            // Let the handshakes in flight finish, so that every pair ends with one fresh session.
            waitUntil(() -> allIdle(), Duration.ofSeconds(30));
            long h = handshakes.get();
            messaging = true;
            for (Pair p : pairs) {
                p.pumpBoth();
            }
            double ms = measure(warmup, measure, messages, progress, target.name() + ": sealed messages");
            messaging = false;
            return new Result(target.name(), pairCount, hs, h, ms, messages.get(), failure.get());
        } finally {
            handshaking = false;
            messaging = false;
            Connector.closeAll(connections, Duration.ofSeconds(15));
        }
    }

    private double measure(Duration warmup, Duration measure, AtomicLong counter, Progress progress, String what) {
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long until = from + measure.toNanos();
        waitUntilTime(from, counter, progress, what);
        long c0 = counter.get();
        long t0 = System.nanoTime();
        waitUntilTime(until, counter, progress, what);
        return (counter.get() - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    private void waitUntilTime(long deadline, AtomicLong counter, Progress progress, String what) {
        long tick = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline && failure.get() == null) {
            LockSupport.parkNanos(Math.min(10_000_000L, Math.max(1, deadline - System.nanoTime())));
            if (System.nanoTime() >= tick) {
                progress.tick(String.format("%s: %,d", what, counter.get()));
                tick += 1_000_000_000L;
            }
        }
    }

    private void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline && failure.get() == null) {
            LockSupport.parkNanos(10_000_000L);
        }
        if (!condition.getAsBoolean()) {
            failure.compareAndSet(null, "handshakes still in flight after " + timeout.toSeconds() + " s");
        }
    }

    private boolean allIdle() {
        for (Pair p : pairs) {
            if (p.inHandshake) {
                return false;
            }
        }
        return true;
    }

    private void onFrame(int pair, int side, ByteBuffer frame) {
        try {
            if (frame.get(frame.position() + 1) != RelayCodec.TYPE_DELIVER) {
                throw new IllegalStateException("relay answered with frame type " + frame.get(frame.position() + 1));
            }
            byte[] payload = new byte[frame.remaining() - RelayCodec.ROUTED_HEADER];
            frame.position(frame.position() + RelayCodec.ROUTED_HEADER);
            frame.get(payload);
            pairs[pair].onMessage(side, payload);
        } catch (Exception e) {
            failure.compareAndSet(null, "pair " + pair + ": " + e);
        }
    }

    /** A bank side (initiator, side 0) and a customer side (responder, side 1). */
    private final class Pair {
        final RoutingKey bankKey;
        final RoutingKey customerKey;
        final IdentityKeyPair bank = IdentityKeyPair.generate(random);
        final IdentityKeyPair customer = IdentityKeyPair.generate(random);
        final PeerTrustStore bankTrust = new InMemoryPeerTrustStore("customer");
        final PeerTrustStore customerTrust = new InMemoryPeerTrustStore("bank");
        WsConnection bankLink;
        WsConnection customerLink;
        volatile boolean inHandshake;
        InitiatorHandshake initiator;
        ResponderHandshake responder;
        volatile SecureSession bankSession;
        volatile SecureSession customerSession;
        final long[] sent = new long[2];
        final AtomicLong[] opened = {new AtomicLong(), new AtomicLong()};

        Pair(RoutingKey bankKey, RoutingKey customerKey) {
            this.bankKey = bankKey;
            this.customerKey = customerKey;
        }

        void startHandshake() {
            inHandshake = true;
            initiator = Handshake.initiator(bank, bankKey.sessionId(), customerKey.sessionId(), bankTrust,
                    SessionPolicy.DEFAULT, clock, random);
            send(0, INIT, initiator.createInit());
        }

        void onMessage(int side, byte[] payload) throws Exception {
            byte type = payload[0];
            byte[] body = java.util.Arrays.copyOfRange(payload, 1, payload.length);
            if (side == 1 && type == INIT) {
                responder = Handshake.responder(customer, customerKey.sessionId(), bankKey.sessionId(), customerTrust,
                        SessionPolicy.DEFAULT, clock, random);
                send(1, RESPONSE, responder.receiveInit(body));
            } else if (side == 0 && type == RESPONSE) {
                send(0, FINISH, initiator.receiveResponse(body));
                bankSession = initiator.session();
            } else if (side == 1 && type == FINISH) {
                responder.receiveFinish(body);
                customerSession = responder.session();
                handshakes.incrementAndGet();
                // The customer tells nothing back; the bank starts the next handshake at once
                // (its FINISH is ahead of the next INIT on the same connection).
                send(1, FINISH, new byte[0]);
            } else if (side == 0 && type == FINISH) {
                if (handshaking) {
                    startHandshake();
                } else {
                    inHandshake = false;
                }
            } else if (type == SEALED) {
                SecureSession mine = side == 0 ? bankSession : customerSession;
                OpenedMessage m = mine.open(body);
                long n = opened[side].get();
                if (m.kind() != MessageKind.TEXT || m.body().length != BODY
                        || ByteBuffer.wrap(m.body()).getLong() != n) {
                    throw new IllegalStateException("message " + n + " arrived out of order or altered");
                }
                opened[side].incrementAndGet();
                messages.incrementAndGet();
                pump(1 - side);
            } else {
                throw new IllegalStateException("unexpected message type " + type + " on side " + side);
            }
        }

        void pumpBoth() {
            pump(0);
            pump(1);
        }

        /** Side {@code from} sends sealed messages while fewer than WINDOW are unopened. */
        synchronized void pump(int from) {
            SecureSession s = from == 0 ? bankSession : customerSession;
            while (messaging && sent[from] - opened[1 - from].get() < WINDOW) {
                byte[] body = new byte[BODY];
                ByteBuffer.wrap(body).putLong(sent[from]++);
                send(from, SEALED, s.seal(MessageKind.TEXT, body));
            }
        }

        void send(int from, byte type, byte[] body) {
            RoutingKey to = from == 0 ? customerKey : bankKey;
            ByteBuffer b = ByteBuffer.allocate(RelayCodec.ROUTED_HEADER + 1 + body.length);
            b.put(Clients.sendHeader(to.sessionId())).put(type).put(body).clear();
            (from == 0 ? bankLink : customerLink).send(b);
        }
    }
}

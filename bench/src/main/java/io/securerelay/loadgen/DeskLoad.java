package io.securerelay.loadgen;

import io.securerelay.client.internal.Conversation;
import io.securerelay.client.internal.ConversationEvents;
import io.securerelay.client.internal.ExecutorEventLoop;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.client.internal.Rejections;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 15's benchmark: the bank desk as its own process (H2 file database) behind the relay, and
 * {@code customers} customers, each with its own identity and routing key, on the client's own
 * conversation engine ({@link Conversation}) over java.net.http connections. First every customer
 * calls the desk (handshakes/s: N over the time from the first INIT to the last SECURE), then each
 * keeps {@code depth} texts unacknowledged at all times: an acknowledgement from the desk means the
 * text is committed to its database ({@code Delivery} stores before it acknowledges), so
 * acknowledged texts per second is what the desk stores end to end. At the end every text must be
 * acknowledged and the desk's own count of stored texts must equal what was sent.
 */
final class DeskLoad {

    record Result(int customers, int secured, double handshakesPerSecond, double secureP50Ms, double secureP99Ms,
            double messagesPerSecond, double windowSeconds, long sent, long acked, long stored,
            int rekeys, int windowRekeys, int problems, String firstProblem, double framesPerText, long deskHeapBytes, long deskRssBytes, long databaseBytes, double generatorCpuMsPerMessage,
            double generatorCores, double deskCores, double relayCores, long deskDisconnects, int depth,
            String loadAverage, String failure) {
    }

    /**
     * Handshakes in flight at once: enough to keep the desk's loops busy, few enough that a caller
     * waits less than the client's handshake retry (4 s: a RESPONSE to the superseded INIT then fails
     * its signature check), and far under the desk's limit of callers not yet identified (256).
     */
    static final int HANDSHAKES_IN_FLIGHT = 32;
    /** Text size: about the 1 KiB body of the in-process ceiling. */
    static final int TEXT_CHARS = 1024;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicLong ackedTotal = new AtomicLong();
    private final AtomicLong sentTotal = new AtomicLong();
    private final AtomicInteger problems = new AtomicInteger();
    private final AtomicReference<String> firstProblem = new AtomicReference<>();
    private final AtomicInteger rekeys = new AtomicInteger();
    /** Every frame the customers sent, in the measured window: texts, their resends, ACKs, handshakes. */
    private final AtomicLong framesOut = new AtomicLong();
    private final String padding = "x".repeat(TEXT_CHARS);
    private volatile boolean messaging;
    private Semaphore handshakeSlots;
    private Customer[] customers;
    private int depth;

    static Result run(Path root, Path work, Target relay, int n, int depth, Duration warmup, Duration measure,
            Clients clients, Progress progress) throws Exception {
        return new DeskLoad().go(root, work, relay, n, depth, warmup, measure, clients, progress);
    }

    private Result go(Path root, Path work, Target relay, int n, int depth, Duration warmup, Duration measure,
            Clients clients, Progress progress) throws Exception {
        this.depth = depth;
        progress.step("desk: starting the desk process (java -jar client-app.jar desk, fresh key folder, H2)");
        int loopCount = Math.max(2, Runtime.getRuntime().availableProcessors());
        ScheduledExecutorService[] loops = new ScheduledExecutorService[loopCount];
        for (int i = 0; i < loopCount; i++) {
            String name = "customer-loop-" + i;
            loops[i] = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        List<WsConnection> connections = List.of();
        try (DeskProcess desk = DeskProcess.start(root, work.resolve("desk"), relay.uri(), Duration.ofSeconds(90))) {
            waitForDesk(desk, Duration.ofSeconds(60));
            SessionId deskId = desk.sessionId();
            RoutingKey[] keys = new RoutingKey[n];
            customers = new Customer[n];
            for (int i = 0; i < n; i++) {
                keys[i] = clients.newKey();
            }
            progress.step(String.format("desk: %,d customers connect and register at the relay", n));
            connections = Connector.openAll(n, 64, Duration.ofSeconds(180),
                    i -> clients.connectRegistered(relay.uri(), keys[i], (c, f) -> { }));
            for (int i = 0; i < n; i++) {
                customers[i] = new Customer(i, keys[i].sessionId(), deskId, connections.get(i), relay,
                        new ExecutorEventLoop(loops[i % loopCount]));
            }

            // ---- handshakes: first INIT to last SECURE ----
            progress.step(String.format("desk: %,d customers call the desk (%d handshakes in flight at most)", n,
                    HANDSHAKES_IN_FLIGHT));
            handshakeSlots = new Semaphore(HANDSHAKES_IN_FLIGHT);
            long hs0 = System.nanoTime();
            for (Customer c : customers) {
                if (!handshakeSlots.tryAcquire(60, TimeUnit.SECONDS) || failure.get() != null) {
                    fail("handshakes stalled: no customer became secure for 60 s");
                    break;
                }
                c.call();
            }
            waitUntil(() -> secured() == n || failure.get() != null, Duration.ofSeconds(120), progress,
                    () -> String.format("desk: %,d of %,d secure", secured(), n));
            int secured = secured();
            long lastSecure = Arrays.stream(customers).mapToLong(c -> c.secureAt).max().orElse(hs0);
            double hsSeconds = (lastSecure - hs0) / 1e9;
            double[] toSecure = Arrays.stream(customers).filter(c -> c.secureAt != 0)
                    .mapToDouble(c -> (c.secureAt - c.initAt) / 1e6).sorted().toArray();
            if (secured < n) {
                fail(secured + " of " + n + " customers became secure");
            }
            double hsRate = secured / Math.max(1e-9, hsSeconds);
            progress.step(String.format(java.util.Locale.ROOT, "  %,d handshakes in %.1f s: %,.0f/s, to secure p50 %.0f ms, p99 %.0f ms",
                    secured, hsSeconds, hsRate, pct(toSecure, 50), pct(toSecure, 99)));

            // ---- messages: each customer keeps `depth` texts unacknowledged ----
            double rate = Double.NaN;
            double gen = Double.NaN;
            double genCores = Double.NaN;
            double deskCores = Double.NaN;
            double relayCores = Double.NaN;
            double window = measure.toNanos() / 1e9;
            double framesPerText = Double.NaN;
            int windowRekeys = 0;
            if (failure.get() == null) {
                progress.step(String.format("desk: messages, %d unacknowledged per customer; warm-up %d s, measured %d s",
                        depth, warmup.toSeconds(), measure.toSeconds()));
                messaging = true;
                for (Customer c : customers) {
                    c.loop.execute(c::topUp);
                }
                sleepWatching(System.nanoTime() + warmup.toNanos(), progress);
                ProcessHandle self = ProcessHandle.current();
                ProcessHandle relayJvm = relay.serverProcess();
                double g0 = Target.cpuSeconds(self);
                double d0 = Target.cpuSeconds(desk.handle());
                double r0 = Target.cpuSeconds(relayJvm);
                long a0 = ackedTotal.get();
                long f0 = framesOut.get();
                int k0 = rekeys.get();
                long t0 = System.nanoTime();
                sleepWatching(t0 + measure.toNanos(), progress);
                long a1 = ackedTotal.get();
                framesPerText = a1 > a0 ? (framesOut.get() - f0) / (double) (a1 - a0) : Double.NaN;
                windowRekeys = rekeys.get() - k0;
                long t1 = System.nanoTime();
                double g1 = Target.cpuSeconds(self);
                double d1 = Target.cpuSeconds(desk.handle());
                double r1 = Target.cpuSeconds(relayJvm);
                window = (t1 - t0) / 1e9;
                rate = (a1 - a0) / window;
                gen = a1 > a0 ? 1000 * (g1 - g0) / (a1 - a0) : Double.NaN;
                genCores = (g1 - g0) / window;
                deskCores = (d1 - d0) / window;
                relayCores = (r1 - r0) / window;
                messaging = false;
                progress.step(String.format(java.util.Locale.ROOT,
                        "  %,.0f texts/s stored and acknowledged; %.2f customer frames per text; %d new handshakes; CPU cores: generator %.2f, desk %.2f, relay %.2f",
                        rate, framesPerText, windowRekeys, genCores, deskCores, relayCores));
                // Every text sent must come back acknowledged (that is: committed by the desk).
                progress.step("desk: waiting for every text to be acknowledged");
                waitUntil(() -> allAcked() || failure.get() != null, Duration.ofSeconds(120), progress,
                        () -> String.format("desk: %,d of %,d acknowledged", ackedTotal.get(), sentTotal.get()));
                if (!allAcked()) {
                    fail(String.format("%,d of %,d texts never acknowledged", sentTotal.get() - ackedTotal.get(), sentTotal.get()));
                }
            }
            // With every session still up.
            long heap = desk.heapAfterGcBytes();
            long rss = desk.rssBytes();
            String status = desk.status();
            long stored = Long.parseLong(orDefault(Main.field(status, "unread"), "-1"));
            long db = desk.databaseBytes();
            long disconnects = desk.relayDisconnects();
            if (failure.get() == null && stored != sentTotal.get()) {
                fail(String.format("the desk stored %,d texts, the customers sent %,d", stored, sentTotal.get()));
            }
            if (disconnects > 0) {
                fail("the desk lost its relay connection " + disconnects + " times (see " + desk.log() + ")");
            }
            if (problems.get() > 0) {
                progress.step(problems.get() + " problems reported by the customers' conversations; the first: " + firstProblem.get());
            }
            return new Result(n, secured, hsRate, pct(toSecure, 50), pct(toSecure, 99), rate, window,
                    sentTotal.get(), ackedTotal.get(), stored, rekeys.get(), windowRekeys, problems.get(), firstProblem.get(), framesPerText, heap, rss, db, gen, genCores, deskCores, relayCores,
                    disconnects, depth, loadAverage(), failure.get());
        } finally {
            messaging = false;
            Connector.closeAll(connections, Duration.ofSeconds(15));
            for (ScheduledExecutorService l : loops) {
                l.shutdownNow();
            }
        }
    }

    private static String orDefault(String v, String d) {
        return v.isEmpty() ? d : v;
    }

    private void waitForDesk(DeskProcess desk, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (desk.status().contains("\"CONNECTED\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the desk did not connect to the relay in " + timeout.toSeconds() + " s");
    }

    private int secured() {
        int s = 0;
        for (Customer c : customers) {
            if (c != null && c.secureAt != 0) {
                s++;
            }
        }
        return s;
    }

    private boolean allAcked() {
        return ackedTotal.get() == sentTotal.get();
    }

    private void fail(String why) {
        failure.compareAndSet(null, why);
    }

    private void sleepWatching(long until, Progress progress) {
        long tick = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until && failure.get() == null) {
            LockSupport.parkNanos(Math.min(10_000_000L, Math.max(1, until - System.nanoTime())));
            if (System.nanoTime() >= tick) {
                progress.tick(String.format("desk: %,d acknowledged", ackedTotal.get()));
                tick += 1_000_000_000L;
            }
        }
    }

    private void waitUntil(java.util.function.BooleanSupplier done, Duration timeout, Progress progress,
            java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long tick = System.nanoTime() + 1_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000L);
            if (System.nanoTime() >= tick) {
                progress.tick(what.get());
                tick += 1_000_000_000L;
            }
        }
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** One customer: its own identity, routing key, connection and conversation with the desk. */
    private final class Customer extends ConversationEvents.Ignoring {
        final int index;
        final ExecutorEventLoop loop;
        final Conversation conversation;
        final CustomerLink link;
        volatile long initAt;
        volatile long secureAt;
        /** Loop only: texts handed to the conversation, and acknowledged by the desk. */
        long queued;
        long acked;

        Customer(int index, SessionId self, SessionId desk, WsConnection connection, Target relay, ExecutorEventLoop loop) {
            this.index = index;
            this.loop = loop;
            IdentityKeyPair identity = IdentityKeyPair.generate(random);
            this.conversation = new Conversation("bank", desk, identity, new InMemoryPeerTrustStore("bank"),
                    new MemoryOutbox(), this, loop, random, clock, SessionPolicy.DEFAULT,
                    new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO), null);
            this.link = new CustomerLink(connection, self, relay.uri(), why -> {
                if (messaging || secureAt == 0) {
                    fail("customer " + index + ": connection lost: " + why);
                }
            }, framesOut);
            link.listener(conversation);
        }

        void call() {
            initAt = System.nanoTime();
            conversation.start(link);
        }

        /** Loop only: hands texts to the conversation until {@code depth} are unacknowledged. */
        void topUp() {
            while (messaging && queued - acked < depth) {
                queued++;
                sentTotal.incrementAndGet();
                String head = "customer " + index + " text " + queued + " ";
                conversation.sendText(head + padding.substring(head.length())).whenComplete((p, e) -> {
                    if (e != null) {
                        fail("customer " + index + ": text not queued: " + e);
                    }
                });
            }
        }

        @Override
        public void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
            if (secureAt == 0) {
                secureAt = System.nanoTime();
                handshakeSlots.release();
            } else {
                // A new handshake after the first (a rekey by policy): counted, not a failure.
                rekeys.incrementAndGet();
            }
        }

        @Override
        public void acked(long upTo) {
            if (upTo > acked) {
                ackedTotal.addAndGet(upTo - acked);
                acked = upTo;
            }
            topUp();
        }

        @Override
        public void problem(String code, String sentence) {
            // Counted and shown; the conversation goes on (a failed handshake is retried). What
            // fails the run is a text not acknowledged or not stored.
            problems.incrementAndGet();
            firstProblem.compareAndSet(null, "customer " + index + ": " + code + ": " + sentence);
        }

        @Override
        public void reconnecting(RelayLink.ClosedBy closedBy, String why, long retryMillis, int queued) {
            if (messaging || secureAt == 0) {
                fail("customer " + index + ": disconnected: " + why);
            }
        }

        @Override
        public void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
            problems.incrementAndGet();
            firstProblem.compareAndSet(null, "customer " + index + ": rejected " + kind + ": " + sentence);
        }
    }
}

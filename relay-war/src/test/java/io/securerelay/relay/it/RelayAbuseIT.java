package io.securerelay.relay.it;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.testkit.RawWebSocketClient;
import io.securerelay.relay.testkit.RelayTestDeployment;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * One honest pair under fire, on the default-settings Payara Micro (the container of
 * {@link RelayIT}, a further deployment, no second boot): while two Tyrus clients exchange
 * numbered frames both ways, other connections send oversize frames, flood past the rate limit,
 * send garbage of every layer, hold half-open connections and stop reading. The honest pair loses
 * nothing, gets every frame once and in order, and sees no ERROR and no close; each abuser the
 * relay closes gets the close code documented for its abuse.
 *
 * <p>Every abuse is bounded in count and time; every wait has a timeout.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayAbuseIT {

    /** Frames each honest client sends at least (it goes on until every abuse is over). */
    static final int HONEST_MIN_FRAMES = 2_000;
    /** ... and at most. */
    static final int HONEST_MAX_FRAMES = 20_000;
    /** Honest pace: a batch every {@link #HONEST_PERIOD}, i.e. 400 frames/s each way. */
    static final int HONEST_BATCH = 10;
    static final Duration HONEST_PERIOD = Duration.ofMillis(25);
    static final int HONEST_PAYLOAD = 200;

    /** The default limits (RelayConfig): 65,554-byte frames, 5,000 frames/s with a 2 s burst. */
    static final int MAX_PAYLOAD = 64 * 1024;
    static final int FLOODERS = 3;
    /** Frames per write of a flooder of 1-byte frames (64 KiB frames: one per write). */
    static final int FLOOD_BATCH = 1_000;
    static final int FLOOD_MAX_FRAMES = 400_000;
    static final Duration FLOOD_MAX_TIME = Duration.ofSeconds(25);

    static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BINARY_REQUEST = "garbage: binary bytes instead of an HTTP request (TLS)";
    static final Duration ABUSE_DEADLINE = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static ClientManager client;
    /** Holds the Tyrus client container up for the whole class (Tyrus issue #640, TestRelayClient). */
    private static TestRelayClient keeper;
    private static URI relay;

    @Deployment(testable = false)
    static WebArchive relayWar() {
        return RelayTestDeployment.builtWar();
    }

    @BeforeAll
    static void tlsClient() throws Exception {
        // -Dit.test=RelayAbuseIT selects the class in both failsafe executions; the limits it
        // expects are the defaults.
        Assumptions.assumeFalse("payara-hardening".equals(System.getProperty("arquillian.launch")),
                "RelayAbuseIT runs on the default-settings Payara only");
        client = TestTls.clientManager();
        relay = RelayTestDeployment.relayUri();
        keeper = TestRelayClient.keepingTheClientContainerUp(client, relay);
    }

    @AfterAll
    static void stopClient() throws Exception {
        if (keeper != null) {
            keeper.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    @Test
    void anHonestPairLosesNothingWhileOthersAbuseTheRelay() throws Exception {
        long start = System.nanoTime();
        List<AutoCloseable> held = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
        try (TestRelayClient bank = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient customer = TestRelayClient.connect(client, relay, RANDOM)) {
            // Half-open connections first, held during the whole run.
            holdHalfOpenConnections(held);
            RawWebSocketClient unregistered = RawWebSocketClient.connect(relay);
            held.add(unregistered);
            assertInstanceOf(RelayFrame.Challenge.class, unregistered.nextRelayFrame(WAIT));

            // The honest pair: numbered frames both ways, at a modest pace, until the abuse is over.
            CompletableFuture<Void> abuseOver = new CompletableFuture<>();
            Honest toCustomer = new Honest(bank, customer, abuseOver);
            Honest toBank = new Honest(customer, bank, abuseOver);
            toCustomer.start(pacer);
            toBank.start(pacer);

            // The abuse, while the honest pair goes on.
            Map<String, Future<Integer>> abuse = new LinkedHashMap<>();
            Map<String, Integer> expected = new LinkedHashMap<>();
            RawWebSocketClient sink = RawWebSocketClient.connect(relay);
            held.add(sink);
            RoutingKey sinkKey = RoutingKey.generate(RANDOM);
            sink.register(sinkKey, WAIT);
            Future<Integer> sinkDrained = pool.submit(() -> drain(sink));
            addOversize(pool, abuse, expected);
            addGarbage(pool, abuse, expected);
            abuse.put("registers, then stops reading while 16 MiB come its way", pool.submit(this::stalledReceiver));
            // Flooders one after the other (each then has the relay's whole throughput to outrun
            // its limit with), alternating tiny frames (the frame rate) and 64 KiB frames (the byte rate).
            // They start once the other abuse is over, and the honest pair goes on all along.
            List<Future<Integer>> others = new ArrayList<>(abuse.values());
            Future<Integer> previous = pool.submit(() -> {
                for (Future<Integer> other : others) {
                    try {
                        other.get(ABUSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException failedButOver) {
                        // reported below
                    }
                }
                return 0;
            });
            for (int i = 0; i < FLOODERS; i++) {
                int payload = i % 2 == 0 ? 1 : MAX_PAYLOAD;
                String what = "flooder " + i + (payload == 1 ? ": 1-byte frames" : ": 64 KiB frames") + " past the rate limit";
                Future<Integer> before = previous;
                previous = pool.submit(() -> {
                    before.get(ABUSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    return flood(what, sinkKey.sessionId(), payload, pool);
                });
                abuse.put(what, previous);
                expected.put(what, RelayCloseCodes.RATE_LIMITED);
            }

            Map<String, Integer> got = new LinkedHashMap<>();
            long abuseDeadline = System.nanoTime() + ABUSE_DEADLINE.toNanos();
            try {
                for (Map.Entry<String, Future<Integer>> e : abuse.entrySet()) {
                    long left = Math.max(1, abuseDeadline - System.nanoTime());
                    got.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
                }
            } finally {
                abuseOver.complete(null);
            }
            Duration abuseTook = Duration.ofNanos(System.nanoTime() - start);

            int sentToCustomer = toCustomer.awaitDone();
            int sentToBank = toBank.awaitDone();
            expectNumbered(customer, bank, sentToCustomer);
            expectNumbered(bank, customer, sentToBank);
            // Nothing more: no extra frame, no ERROR, and both still open.
            assertNull(customer.poll(Duration.ofMillis(300)), "an extra frame at the customer");
            assertNull(bank.poll(Duration.ofMillis(300)), "an extra frame at the bank");
            assertTrue(bank.isOpen() && customer.isOpen(), "the honest pair was closed");
            assertThrows(TimeoutException.class, () -> bank.awaitClose(Duration.ofMillis(1)), "a close reached the bank");
            assertThrows(TimeoutException.class, () -> customer.awaitClose(Duration.ofMillis(1)),
                    "a close reached the customer");
            assertTrue(sentToCustomer >= HONEST_MIN_FRAMES && sentToBank >= HONEST_MIN_FRAMES);

            // The half-open connection that never registered was either left alone or closed for
            // its registration timeout (10 s by default, if the run lasted that long).
            int unregisteredOutcome = pollClose(unregistered);
            assertTrue(unregisteredOutcome == 0 || unregisteredOutcome == RelayCloseCodes.REGISTRATION_TIMEOUT,
                    "a connection that never registered got " + unregisteredOutcome);
            for (AutoCloseable c : held) {
                c.close();
            }
            int sinkFrames = sinkDrained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            System.out.printf("abuse run: honest %d frames to the customer and %d to the bank, all delivered once"
                    + " and in order; abuse over after %d ms; flood sink got %d frames; never-registered connection: %s%n",
                    sentToCustomer, sentToBank, abuseTook.toMillis(), sinkFrames,
                    unregisteredOutcome == 0 ? "still open" : "closed " + unregisteredOutcome);
            System.out.println("  abuser: WebSocket close code (-1: the connection ended without one; 4xx/5xx: HTTP status)");
            got.forEach((what, code) -> System.out.printf("  %-60s %d%n", what, code));
            for (Map.Entry<String, Integer> e : expected.entrySet()) {
                assertEquals(e.getValue(), got.get(e.getKey()), e.getKey());
            }
            int binaryRequest = got.get(BINARY_REQUEST);
            assertTrue(binaryRequest == -1 || (binaryRequest >= 400 && binaryRequest < 600),
                    "binary garbage instead of an HTTP request got " + binaryRequest);
            int stalled = got.get("registers, then stops reading while 16 MiB come its way");
            assertTrue(stalled == RelayCloseCodes.SLOW_CONSUMER || stalled == -1,
                    "the stalled receiver is closed as a slow consumer, got " + stalled);
        } finally {
            for (AutoCloseable c : held) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing
                }
            }
            pacer.shutdownNow();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "abuse threads still running");
        }
        System.out.printf("abuse run took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** One direction of the honest pair: sends numbered frames at a fixed pace from a scheduler. */
    private static final class Honest {
        private final TestRelayClient from;
        private final TestRelayClient to;
        private final CompletableFuture<Void> abuseOver;
        private final CompletableFuture<Integer> done = new CompletableFuture<>();
        private int sent;
        private ScheduledFuture<?> task;

        Honest(TestRelayClient from, TestRelayClient to, CompletableFuture<Void> abuseOver) {
            this.from = from;
            this.to = to;
            this.abuseOver = abuseOver;
        }

        void start(ScheduledExecutorService pacer) {
            long period = HONEST_PERIOD.toNanos();
            task = pacer.scheduleAtFixedRate(this::batch, 0, period, TimeUnit.NANOSECONDS);
        }

        private void batch() {
            if (done.isDone()) {
                return;
            }
            try {
                if ((abuseOver.isDone() && sent >= HONEST_MIN_FRAMES) || sent >= HONEST_MAX_FRAMES) {
                    done.complete(sent);
                    task.cancel(false);
                    return;
                }
                for (int i = 0; i < HONEST_BATCH; i++) {
                    from.send(to.id, numbered(from.id, sent));
                    sent++;
                }
            } catch (Exception e) {
                done.completeExceptionally(e);
                task.cancel(false);
            }
        }

        /** The number of frames sent, once sending stopped. */
        int awaitDone() throws Exception {
            return done.get(ABUSE_DEADLINE.toMillis() + WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void expectNumbered(TestRelayClient at, TestRelayClient from, int count) throws Exception {
        for (int n = 0; n < count; n++) {
            RelayFrame.ServerFrame f = at.next();
            RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, f, "frame " + n + " at " + at.id.shortForm());
            assertEquals(from.id, d.from(), "frame from the wrong sender at " + at.id);
            assertArrayEquals(numbered(from.id, n), d.payloadBytes(), "frame " + n + " lost, reordered or altered");
        }
    }

    /** A payload naming its sender and its number, padded to {@link #HONEST_PAYLOAD} bytes. */
    private static byte[] numbered(SessionId sender, int n) {
        return ByteBuffer.allocate(HONEST_PAYLOAD).put(sender.toBytes()).putInt(n).array();
    }

    // --- flooders -----------------------------------------------------------------------------

    /**
     * Registers, then sends SEND frames of {@code payload} bytes to {@code sink} in batches (as fast
     * as TCP and the relay take them) until the relay closes the connection, at most
     * {@link #FLOOD_MAX_FRAMES} frames or {@link #FLOOD_MAX_TIME}; returns the close code.
     */
    private Integer flood(String what, SessionId sink, int payload, ExecutorService readers) throws Exception {
        try (RawWebSocketClient flooder = RawWebSocketClient.connect(relay)) {
            flooder.register(RoutingKey.generate(RANDOM), WAIT);
            CompletableFuture<Integer> closed = CompletableFuture.supplyAsync(() -> {
                try {
                    return flooder.awaitClose(FLOOD_MAX_TIME.plus(WAIT));
                } catch (IOException e) {
                    return -2;
                }
            }, readers);
            byte[] frame = sendFrame(sink, payload);
            int batch = Math.max(1, FLOOD_BATCH / payload);
            long begin = System.nanoTime();
            long deadline = begin + FLOOD_MAX_TIME.toNanos();
            int sent = 0;
            String ended;
            try {
                while (!closed.isDone() && sent < FLOOD_MAX_FRAMES && System.nanoTime() < deadline) {
                    flooder.sendBinaryRepeatedly(frame, batch);
                    sent += batch;
                }
                ended = closed.isDone() ? "the relay's close read" : "bound reached without a close";
            } catch (IOException closedWhileWriting) {
                ended = "write failed: " + closedWhileWriting; // the relay closed it during a write
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            System.out.printf("%s: %d frames written in %d ms (%s)%n", what, sent, took, ended);
            return closed.get(WAIT.plus(FLOOD_MAX_TIME).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Reads and drops frames until the connection ends; returns how many it read. */
    private static Integer drain(RawWebSocketClient c) {
        int frames = 0;
        try {
            while (true) {
                RawWebSocketClient.Frame f = c.readFrame(ABUSE_DEADLINE.plus(WAIT));
                if (f.opcode() == RawWebSocketClient.OP_CLOSE) {
                    return frames;
                }
                frames++;
            }
        } catch (IOException endedOrClosedByUs) {
            return frames;
        }
    }

    // --- oversize -----------------------------------------------------------------------------

    private void addOversize(ExecutorService pool, Map<String, Future<Integer>> abuse, Map<String, Integer> expected) {
        abuse.put("oversize: SEND one byte over the limit (Tyrus)", pool.submit(() -> {
            try (TestRelayClient c = TestRelayClient.connect(client, relay, RANDOM)) {
                c.send(c.id, new byte[MAX_PAYLOAD + 1]);
                return c.awaitClose(WAIT).getCloseCode().getCode();
            }
        }));
        abuse.put("oversize: SEND of 1 MiB (Tyrus)", pool.submit(() -> {
            try (TestRelayClient c = TestRelayClient.connect(client, relay, RANDOM)) {
                c.send(c.id, new byte[1 << 20]);
                return c.awaitClose(WAIT).getCloseCode().getCode();
            }
        }));
        abuse.put("oversize: one 3 MiB frame, over the relay's ceiling (raw)", pool.submit(() -> {
            try (RawWebSocketClient raw = RawWebSocketClient.connect(relay)) {
                RoutingKey key = RoutingKey.generate(RANDOM);
                raw.register(key, WAIT);
                try {
                    raw.sendBinary(sendFrame(key.sessionId(), 3 << 20));
                } catch (IOException closedWhileWriting) {
                    // the relay may close before the frame is written
                }
                return raw.awaitClose(WAIT);
            }
        }));
        abuse.put("oversize: over the limit in two fragments (raw)", pool.submit(() -> {
            try (RawWebSocketClient raw = RawWebSocketClient.connect(relay)) {
                RoutingKey key = RoutingKey.generate(RANDOM);
                raw.register(key, WAIT);
                byte[] over = sendFrame(key.sessionId(), MAX_PAYLOAD + 1);
                raw.sendFrame(RawWebSocketClient.OP_BINARY, Arrays.copyOf(over, 10_000), true);
                raw.sendFrame(RawWebSocketClient.FIN | RawWebSocketClient.OP_CONTINUATION,
                        Arrays.copyOfRange(over, 10_000, over.length), true);
                return raw.awaitClose(WAIT);
            }
        }));
        expected.put("oversize: SEND one byte over the limit (Tyrus)", RelayCloseCodes.TOO_BIG);
        expected.put("oversize: SEND of 1 MiB (Tyrus)", RelayCloseCodes.TOO_BIG);
        expected.put("oversize: one 3 MiB frame, over the relay's ceiling (raw)", RelayCloseCodes.TOO_BIG);
        expected.put("oversize: over the limit in two fragments (raw)", RelayCloseCodes.TOO_BIG);
    }

    // --- garbage ------------------------------------------------------------------------------

    private void addGarbage(ExecutorService pool, Map<String, Future<Integer>> abuse, Map<String, Integer> expected) {
        byte[] random = new byte[300];
        RANDOM.nextBytes(random);
        random[0] = (byte) 0xEE; // no protocol version
        Object[][] frames = {
            {"garbage: relay frame of unknown type 0x7f", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY,
                new byte[] {1, 0x7f}, true, RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: 300 random bytes as a binary frame", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY,
                random, true, RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: text frame", RawWebSocketClient.FIN | RawWebSocketClient.OP_TEXT,
                "hello".getBytes(StandardCharsets.UTF_8), true, RelayCloseCodes.UNSUPPORTED_DATA},
            {"garbage: reserved bit RSV1 set", RawWebSocketClient.FIN | 0x40 | RawWebSocketClient.OP_BINARY,
                new byte[] {1, 2}, true, RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: RSV2 and RSV3 set", RawWebSocketClient.FIN | 0x30 | RawWebSocketClient.OP_BINARY,
                new byte[] {1, 2}, true, RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: reserved opcode 0x3", RawWebSocketClient.FIN | 0x3, new byte[] {1}, true,
                RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: reserved control opcode 0xB", RawWebSocketClient.FIN | 0xB, new byte[] {1}, true,
                RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: unmasked client frame", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY,
                new byte[] {1, 2}, false, RelayCloseCodes.PROTOCOL_ERROR},
            {"garbage: text frame with invalid UTF-8", RawWebSocketClient.FIN | RawWebSocketClient.OP_TEXT,
                new byte[] {(byte) 0xc3, 0x28}, true, RelayCloseCodes.INVALID_PAYLOAD},
        };
        for (Object[] f : frames) {
            String what = (String) f[0];
            abuse.put(what, pool.submit(() -> {
                try (RawWebSocketClient raw = RawWebSocketClient.connect(relay)) {
                    assertInstanceOf(RelayFrame.Challenge.class, raw.nextRelayFrame(WAIT));
                    raw.sendFrame((Integer) f[1], (byte[]) f[2], (Boolean) f[3]);
                    return raw.awaitClose(WAIT);
                }
            }));
            expected.put(what, (Integer) f[4]);
        }
        abuse.put("garbage: text frame after registering (Tyrus)", pool.submit(() -> {
            try (TestRelayClient c = TestRelayClient.connect(client, relay, RANDOM)) {
                c.sendText("not binary");
                return c.awaitClose(WAIT).getCloseCode().getCode();
            }
        }));
        expected.put("garbage: text frame after registering (Tyrus)", RelayCloseCodes.UNSUPPORTED_DATA);
        // Below the WebSocket layer: the connection just ends (-1 here).
        abuse.put("garbage: plain bytes to the TLS port", pool.submit(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(relay.getHost(), relay.getPort()), 10_000);
                s.getOutputStream().write("GET /relay HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                return readUntilEnd(s);
            }
        }));
        expected.put("garbage: plain bytes to the TLS port", -1);
        // 300 fixed binary bytes without a line break, then an empty line: answered with an HTTP
        // error (Grizzly: 505, the "version" is not HTTP/1.x), or the connection just ends. No upgrade.
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            int b = (i * 37 + 11) & 0xFF;
            binary[i] = (byte) (b == '\r' || b == '\n' ? 0 : b);
        }
        abuse.put(BINARY_REQUEST, pool.submit(() -> {
            try (SSLSocket s = tls()) {
                s.getOutputStream().write(binary);
                s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                return httpStatusOrEnd(s);
            }
        }));
    }

    /**
     * The status of the HTTP answer to garbage, or -1 if the connection ended without one; fails if
     * nothing comes within {@link #WAIT}.
     */
    private static Integer httpStatusOrEnd(Socket s) throws IOException {
        s.setSoTimeout((int) WAIT.toMillis());
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0 && b != '\r' && line.length() < 200) {
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the relay neither answered nor closed a garbage request within " + WAIT, e);
        } catch (SocketException | EOFException | javax.net.ssl.SSLException ended) {
            return -1;
        }
        if (line.length() == 0) {
            return -1;
        }
        String[] parts = line.toString().split(" ");
        return parts.length > 1 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -3;
    }

    /** Reads and drops what comes until the end of the connection: -1, or fails after {@link #WAIT}. */
    private static Integer readUntilEnd(Socket s) throws IOException {
        s.setSoTimeout((int) WAIT.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // drop
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the relay kept a garbage connection open for " + WAIT, e);
        } catch (SocketException | EOFException | javax.net.ssl.SSLException ended) {
            // reset or alert: ended all the same
        }
        return -1;
    }

    // --- half-open and stalled ----------------------------------------------------------------

    /** TCP only; TLS and nothing more; TLS and half an upgrade request. All held until the end. */
    private void holdHalfOpenConnections(List<AutoCloseable> held) throws Exception {
        for (int i = 0; i < 2; i++) {
            Socket tcp = new Socket();
            held.add(tcp);
            tcp.connect(new InetSocketAddress(relay.getHost(), relay.getPort()), 10_000);
            SSLSocket handshakeOnly = tls();
            held.add(handshakeOnly);
            SSLSocket halfUpgrade = tls();
            held.add(halfUpgrade);
            halfUpgrade.getOutputStream().write(("GET /relay HTTP/1.1\r\nHost: localhost:" + relay.getPort()
                    + "\r\nUpgrade: websocket\r\n").getBytes(StandardCharsets.US_ASCII));
            halfUpgrade.getOutputStream().flush();
        }
    }

    /** A TLS connection to the relay, handshake done, nothing sent. */
    private static SSLSocket tls() throws Exception {
        SSLSocket s = (SSLSocket) TestTls.trustingProjectCa().getSocketFactory().createSocket();
        try {
            SSLParameters params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(List.of(new SNIHostName(relay.getHost())));
            s.setSSLParameters(params);
            s.connect(new InetSocketAddress(relay.getHost(), relay.getPort()), 10_000);
            s.setSoTimeout((int) WAIT.toMillis());
            s.startHandshake();
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /**
     * A receiver with a 4 KiB socket buffer registers and never reads again while another client
     * sends it 16 MiB in 64 KiB frames (within the sender's rate limits); returns the receiver's
     * close code (-1: the connection ended without a close frame, as documented).
     */
    private Integer stalledReceiver() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        try (RawWebSocketClient stalled = RawWebSocketClient.connect(relay, null, null, 4096);
             TestRelayClient sender = TestRelayClient.connect(client, relay, RANDOM)) {
            stalled.register(key, WAIT);
            byte[] chunk = new byte[MAX_PAYLOAD];
            for (int i = 0; i < 256; i++) {
                sender.send(key.sessionId(), chunk);
            }
            return stalled.awaitClose(Duration.ofSeconds(60));
        }
    }

    /** Returns the close code already received on {@code c}, or 0 if nothing came within 100 ms. */
    private static int pollClose(RawWebSocketClient c) throws IOException {
        try {
            RawWebSocketClient.Frame f = c.readFrame(Duration.ofMillis(100));
            return f.opcode() == RawWebSocketClient.OP_CLOSE ? f.closeCode() : 0;
        } catch (SocketTimeoutException stillOpen) {
            return 0;
        }
    }

    private static byte[] sendFrame(SessionId to, int payloadLength) {
        ByteBuffer b = RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(new byte[payloadLength])));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}

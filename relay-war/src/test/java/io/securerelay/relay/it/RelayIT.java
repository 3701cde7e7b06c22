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
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * The relay WAR, as built, on a real Payara Micro started by Arquillian with TLS and the default
 * settings, driven by Tyrus clients and a raw WebSocket client over {@code wss://}. One deployment
 * for the whole class (a boot costs 15 to 20 s). The limits that need short or small settings are
 * tested in {@link RelayHardeningIT}, on a second deployment.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayIT {

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
    void routesFramesBothWaysUnchangedWithTheSendersId() throws Exception {
        try (TestRelayClient bank = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient customer = TestRelayClient.connect(client, relay, RANDOM)) {
            byte[] toCustomer = "hello customer".getBytes(StandardCharsets.UTF_8);
            byte[] toBank = new byte[60_000];
            RANDOM.nextBytes(toBank);

            bank.send(customer.id, toCustomer);
            customer.send(bank.id, toBank);

            RelayFrame.Deliver atCustomer = assertInstanceOf(RelayFrame.Deliver.class, customer.next());
            assertEquals(bank.id, atCustomer.from());
            assertArrayEquals(toCustomer, atCustomer.payloadBytes());
            RelayFrame.Deliver atBank = assertInstanceOf(RelayFrame.Deliver.class, bank.next());
            assertEquals(customer.id, atBank.from());
            assertArrayEquals(toBank, atBank.payloadBytes());
        }
    }

    @Test
    void answersUnknownPeerWithPeerNotConnectedAndKeepsTheConnection() throws Exception {
        try (TestRelayClient alone = TestRelayClient.connect(client, relay, RANDOM)) {
            SessionId nobody = SessionId.random(RANDOM);
            alone.send(nobody, new byte[] {1, 2, 3});

            RelayFrame.Error error = assertInstanceOf(RelayFrame.Error.class, alone.next());
            assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, error.errorCode());
            assertEquals(nobody, error.subject());

            // Still usable: a frame to itself comes back.
            alone.send(alone.id, new byte[] {9});
            RelayFrame.Deliver self = assertInstanceOf(RelayFrame.Deliver.class, alone.next());
            assertArrayEquals(new byte[] {9}, self.payloadBytes());
        }
    }

    @Test
    void aThiefWhoKnowsOnlyTheIdCannotRegisterItAndTheOwnerKeepsReceiving() throws Exception {
        try (TestRelayClient owner = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient replayer = TestRelayClient.open(client, relay);
             TestRelayClient forger = TestRelayClient.open(client, relay);
             TestRelayClient sender = TestRelayClient.connect(client, relay, RANDOM)) {
            // 1. The owner's own REGISTER, replayed: it signs the owner's challenge, not this one.
            replayer.sendRegister(owner.sentRegister());
            // 2. The owner's public key with a signature by another key over this very challenge.
            RoutingKey thiefKey = RoutingKey.generate(RANDOM);
            forger.sendRegister(new RelayFrame.Register(owner.key().publicKey(),
                    thiefKey.register(forger.challenge()).signature()));

            assertEquals(RelayCloseCodes.REGISTRATION_INVALID, replayer.awaitClose().getCloseCode().getCode());
            assertEquals(RelayCloseCodes.REGISTRATION_INVALID, forger.awaitClose().getCloseCode().getCode());

            sender.send(owner.id, new byte[] {42});
            RelayFrame.Deliver delivered = assertInstanceOf(RelayFrame.Deliver.class, owner.next());
            assertArrayEquals(new byte[] {42}, delivered.payloadBytes());
            assertEquals(0, replayer.pending() + forger.pending(), "nothing for the owner reaches a thief");
            assertTrue(owner.isOpen());
        }
    }

    @Test
    void theOwnerReconnectingWithItsKeyTakesTheIdOver() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        try (TestRelayClient first = TestRelayClient.connect(client, relay, key);
             TestRelayClient sender = TestRelayClient.connect(client, relay, RANDOM)) {
            sender.send(key.sessionId(), new byte[] {1});
            assertArrayEquals(new byte[] {1}, assertInstanceOf(RelayFrame.Deliver.class, first.next()).payloadBytes());

            try (TestRelayClient second = TestRelayClient.connect(client, relay, key)) {
                CloseReason old = first.awaitClose();
                assertEquals(RelayCloseCodes.TAKEN_OVER, old.getCloseCode().getCode());
                assertEquals("session ID taken over by a newer connection of its owner", old.getReasonPhrase());

                sender.send(key.sessionId(), new byte[] {2});
                assertArrayEquals(new byte[] {2},
                        assertInstanceOf(RelayFrame.Deliver.class, second.next()).payloadBytes());
                assertEquals(0, first.pending(), "frames after the takeover go to the new connection only");
                // The new connection sends as the owner too.
                second.send(sender.id, new byte[] {3});
                RelayFrame.Deliver back = assertInstanceOf(RelayFrame.Deliver.class, sender.next());
                assertEquals(key.sessionId(), back.from());
            }
        }
    }

    @Test
    void aSessionIdIsUnroutedOnceItsConnectionClosed() throws Exception {
        try (TestRelayClient sender = TestRelayClient.connect(client, relay, RANDOM)) {
            SessionId id;
            try (TestRelayClient first = TestRelayClient.connect(client, relay, RANDOM)) {
                id = first.id;
            }
            // The close handshake may still be in flight (a frame sent meanwhile is delivered and gets
            // no answer): send until the relay reports the ID gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                sender.send(id, new byte[] {1});
                RelayFrame.ServerFrame answer = sender.poll(Duration.ofMillis(500));
                if (answer instanceof RelayFrame.Error e && e.errorCode() == RelayFrame.ErrorCode.PEER_NOT_CONNECTED) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "session ID still routed 10 s after its owner closed");
            }
        }
    }

    @Test
    void closesMalformedFramesWithProtocolErrorAndTextFramesWithUnsupportedData() throws Exception {
        try (TestRelayClient bad = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient text = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient oldRegister = TestRelayClient.open(client, relay);
             TestRelayClient honest = TestRelayClient.connect(client, relay, RANDOM)) {
            bad.sendRaw(ByteBuffer.wrap(new byte[] {1, 0x02, 0x00})); // SEND truncated in its ID
            text.sendText("hello");
            // The REGISTER of the first protocol draft (a bare 16-byte ID) is malformed now.
            oldRegister.sendRaw(ByteBuffer.wrap(new byte[18]).put(0, (byte) 1).put(1, (byte) 1));

            assertEquals(RelayCloseCodes.PROTOCOL_ERROR, bad.awaitClose().getCloseCode().getCode());
            assertEquals(RelayCloseCodes.UNSUPPORTED_DATA, text.awaitClose().getCloseCode().getCode());
            assertEquals(RelayCloseCodes.PROTOCOL_ERROR, oldRegister.awaitClose().getCloseCode().getCode());

            // The relay and other connections go on.
            honest.send(honest.id, new byte[] {7});
            assertArrayEquals(new byte[] {7},
                    assertInstanceOf(RelayFrame.Deliver.class, honest.next()).payloadBytes());
        }
    }

    /**
     * Frames a WebSocket library would never send, from a raw client: each closes only its own
     * connection, with the code of RFC 6455 or of the relay protocol.
     */
    @Test
    void badWebSocketFramesCloseOnlyTheirConnection() throws Exception {
        byte[] invalidUtf8 = {(byte) 0xc3, 0x28};
        Object[][] cases = {
            {"reserved bit RSV1 set", RawWebSocketClient.FIN | 0x40 | RawWebSocketClient.OP_BINARY, new byte[] {1, 2}, true, 1002},
            {"reserved opcode 0x3", RawWebSocketClient.FIN | 0x3, new byte[] {1}, true, 1002},
            {"unmasked frame holding a truncated relay frame", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY,
                new byte[] {1, 2}, false, 1002},
            {"unmasked ping", RawWebSocketClient.FIN | 0x9, new byte[] {1}, false, 1002},
            {"text frame with invalid UTF-8", RawWebSocketClient.FIN | RawWebSocketClient.OP_TEXT, invalidUtf8, true, 1007},
            {"relay frame of unknown type 0x7f", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY, new byte[] {1, 0x7f}, true, 1002},
            {"relay frame with a truncated header", RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY, new byte[] {1}, true, 1002},
        };
        try (TestRelayClient a = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient b = TestRelayClient.connect(client, relay, RANDOM)) {
            for (Object[] c : cases) {
                try (RawWebSocketClient raw = RawWebSocketClient.connect(relay)) {
                    assertInstanceOf(RelayFrame.Challenge.class, raw.nextRelayFrame(TestRelayClient.TIMEOUT));
                    raw.sendFrame((Integer) c[1], (byte[]) c[2], (Boolean) c[3]);
                    assertEquals((int) (Integer) c[4], raw.awaitClose(TestRelayClient.TIMEOUT), (String) c[0]);
                }
                a.send(b.id, new byte[] {9});
                assertArrayEquals(new byte[] {9}, assertInstanceOf(RelayFrame.Deliver.class, b.next()).payloadBytes(),
                        "another pair goes on after: " + c[0]);
            }
        }
    }

    @Test
    void aBrowserOriginIsRefusedByDefault() throws Exception {
        assertThrows(DeploymentException.class,
                () -> TestRelayClient.openWithOrigin(client, relay, "https://bank.example").close());
        IOException refused = assertThrows(IOException.class,
                () -> RawWebSocketClient.connect(relay, null, "https://evil.example", 0).close());
        assertTrue(refused.getMessage().contains(" 403"), refused.getMessage());
    }

    @Test
    void aFrameAtTheDefaultSizeLimitPassesAndOneByteMoreClosesWith1009() throws Exception {
        try (TestRelayClient big = TestRelayClient.connect(client, relay, RANDOM)) {
            byte[] atLimit = new byte[64 * 1024]; // a 65,554-byte SEND frame
            RANDOM.nextBytes(atLimit);
            big.send(big.id, atLimit);
            assertArrayEquals(atLimit, assertInstanceOf(RelayFrame.Deliver.class, big.next()).payloadBytes());
            big.send(big.id, new byte[64 * 1024 + 1]);
            assertEquals(RelayCloseCodes.TOO_BIG, big.awaitClose().getCloseCode().getCode());
        }
    }

    /**
     * RFC 6455 5.1: "a server MUST close the connection upon receiving a frame that is not masked".
     * Tyrus 2.1 accepts them; the relay refuses one at its header (RelayUpgradeHandler), so a
     * well-formed SEND in an unmasked frame closes its sender with 1002 and is never delivered.
     */
    @Test
    void anUnmaskedClientFrameIsRefusedWithProtocolErrorAndNotDelivered() throws Exception {
        try (TestRelayClient receiver = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient other = TestRelayClient.connect(client, relay, RANDOM);
             RawWebSocketClient sender = RawWebSocketClient.connect(relay)) {
            sender.register(RoutingKey.generate(RANDOM), TestRelayClient.TIMEOUT);
            double refused0 = RelayTestDeployment.metric("relay_frames_unmasked_refused");
            ByteBuffer send = RelayCodec.encode(new RelayFrame.Send(receiver.id, ByteBuffer.wrap(new byte[] {1, 2, 3})));
            byte[] bytes = new byte[send.remaining()];
            send.get(bytes);
            sender.sendFrame(RawWebSocketClient.FIN | RawWebSocketClient.OP_BINARY, bytes, false);
            RawWebSocketClient.Frame close = sender.awaitCloseFrame(TestRelayClient.TIMEOUT);
            assertEquals(RelayCloseCodes.PROTOCOL_ERROR, close.closeCode());
            assertEquals("client frames must be masked", close.closeReason());
            assertEquals(1, RelayTestDeployment.metric("relay_frames_unmasked_refused") - refused0);
            // The refused SEND never reached the receiver: the next frame it gets is this one.
            other.send(receiver.id, new byte[] {9});
            RelayFrame.Deliver next = assertInstanceOf(RelayFrame.Deliver.class, receiver.next());
            assertEquals(other.id, next.from());
            assertArrayEquals(new byte[] {9}, next.payloadBytes());
        }
    }

    /**
     * A burst of SENDs in one write, as a fast client sends them: the relay flushes their DELIVERs
     * at the end of each read (BatchingOutputStream, public API: on in both runs, hooks on and off),
     * and every frame still arrives whole, once and in order, whatever its length (none to 70,000
     * bytes, odd and even).
     */
    @Test
    void aBurstInOneWriteIsDeliveredWholeInOrderAndInFewerFlushes() throws Exception {
        int count = 200;
        try (TestRelayClient receiver = TestRelayClient.connect(client, relay, RANDOM);
             RawWebSocketClient sender = RawWebSocketClient.connect(relay)) {
            RoutingKey key = RoutingKey.generate(RANDOM);
            sender.register(key, TestRelayClient.TIMEOUT);
            double deferred0 = RelayTestDeployment.metric("relay_flushes_deferred");
            double batched0 = RelayTestDeployment.metric("relay_flushes_batched");
            List<byte[]> payloads = new ArrayList<>();
            List<byte[]> frames = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                int length = n % 50 == 49 ? 70_000 - 4 * n : n % 7 == 0 ? 0 : 4 + RANDOM.nextInt(1_500);
                byte[] payload = new byte[Math.min(length, 64 * 1024)];
                RANDOM.nextBytes(payload);
                if (payload.length >= 4) {
                    ByteBuffer.wrap(payload).putInt(n);
                }
                payloads.add(payload);
                ByteBuffer send = RelayCodec.encode(new RelayFrame.Send(receiver.id, ByteBuffer.wrap(payload)));
                byte[] bytes = new byte[send.remaining()];
                send.get(bytes);
                frames.add(bytes);
            }
            sender.sendBinaries(frames);
            for (int n = 0; n < count; n++) {
                RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, receiver.next(), "frame " + n);
                assertEquals(key.sessionId(), d.from());
                assertArrayEquals(payloads.get(n), d.payloadBytes(), "frame " + n + " altered or out of order");
            }
            assertEquals(0, receiver.pending(), "an extra frame arrived");
            double deferred = RelayTestDeployment.metric("relay_flushes_deferred") - deferred0;
            double batched = RelayTestDeployment.metric("relay_flushes_batched") - batched0;
            System.out.printf("burst of %d SENDs: %.0f DELIVER writes, %.0f flushes%n", count, deferred, batched);
            assertTrue(deferred >= count, "DELIVER writes whose flush waited for the end of the read: " + deferred);
            assertTrue(batched >= 1 && batched <= deferred / 2, "flushes " + batched + " for " + deferred + " writes");
        }
    }

    /**
     * Each reach into the container's private members works on the Payara Micro the build pins
     * (gauge 1), or, in the run with {@code relay.container-hooks=false}, none runs (0). A Payara
     * upgrade that changes a component's version (-2: the hook is not switched on) or loses a
     * member a hook needs (-1) fails here, naming the hook, instead of a warning in a log. The
     * hooks are used by every connection: a registered pair is enough.
     */
    @Test
    void everyContainerHookIsActiveOnThePinnedPayaraOrOffWhenSwitchedOff() throws Exception {
        try (RawWebSocketClient a = RawWebSocketClient.connect(relay);
             TestRelayClient b = TestRelayClient.connect(client, relay, RANDOM)) {
            RoutingKey key = RoutingKey.generate(RANDOM);
            a.register(key, TestRelayClient.TIMEOUT);
            a.send(new RelayFrame.Send(b.id, ByteBuffer.wrap(new byte[] {1, 2, 3})));
            assertInstanceOf(RelayFrame.Deliver.class, b.next());
            boolean on = RelayTestDeployment.containerHooksOn();
            List<String> wrong = new ArrayList<>();
            for (String hook : List.of("tyrus-idle-timers", "grizzly-tls-buffers")) {
                double state = RelayTestDeployment.metric("relay_container_hook", "hook", hook);
                if (state != (on ? 1 : 0)) {
                    wrong.add(hook + "=" + state + (state == -1 ? " (fell back: a member it reaches for is gone)"
                            : state == -2 ? " (not the component version it was tested on: see the relay's log)" : ""));
                }
            }
            assertTrue(wrong.isEmpty(), "container hooks " + (on ? "not active" : "running though off") + ": " + wrong);
        }
    }

    @Test
    void fiftyPairsAtOnceEveryFrameArrivesExactlyOnceInOrderAtTheRightPeer() throws Exception {
        int pairs = 50;
        int framesEachWay = 200;
        List<TestRelayClient[]> all = new ArrayList<>();
        try {
            for (int i = 0; i < pairs; i++) {
                all.add(new TestRelayClient[] {
                    TestRelayClient.connect(client, relay, RANDOM), TestRelayClient.connect(client, relay, RANDOM)});
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> sends = new ArrayList<>();
                for (TestRelayClient[] pair : all) {
                    sends.add(pool.submit(() -> sendNumbered(pair[0], pair[1], framesEachWay)));
                    sends.add(pool.submit(() -> sendNumbered(pair[1], pair[0], framesEachWay)));
                }
                for (Future<?> f : sends) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            for (TestRelayClient[] pair : all) {
                expectNumbered(pair[1], pair[0], framesEachWay);
                expectNumbered(pair[0], pair[1], framesEachWay);
            }
            for (TestRelayClient[] pair : all) {
                assertEquals(0, pair[0].pending(), "extra frame at " + pair[0].id);
                assertEquals(0, pair[1].pending(), "extra frame at " + pair[1].id);
            }
        } finally {
            for (TestRelayClient[] pair : all) {
                pair[0].close();
                pair[1].close();
            }
        }
    }

    private static Void sendNumbered(TestRelayClient from, TestRelayClient to, int count) throws Exception {
        for (int n = 0; n < count; n++) {
            from.send(to.id, numbered(from.id, n));
        }
        return null;
    }

    private static void expectNumbered(TestRelayClient at, TestRelayClient from, int count) throws Exception {
        for (int n = 0; n < count; n++) {
            RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, at.next());
            assertEquals(from.id, d.from(), "frame from the wrong sender at " + at.id);
            assertArrayEquals(numbered(from.id, n), d.payloadBytes(), "frame out of order or altered at " + at.id);
        }
    }

    /** A payload naming its sender and its number, so misrouting and reordering both show. */
    private static byte[] numbered(SessionId sender, int n) {
        return ByteBuffer.allocate(SessionId.LENGTH + 4).put(sender.toBytes()).putInt(n).array();
    }
}

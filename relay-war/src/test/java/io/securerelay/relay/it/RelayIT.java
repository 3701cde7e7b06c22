package io.securerelay.relay.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import java.io.File;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The relay WAR, as built, on a real Payara Micro started by Arquillian with TLS, driven by Tyrus
 * clients over {@code wss://}. One deployment for the whole class (a boot costs 15 to 20 s).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static ClientManager client;
    private static URI relay;

    @Deployment(testable = false)
    static WebArchive relayWar() {
        return ShrinkWrap.create(ZipImporter.class, "relay.war")
                .importFrom(new File(System.getProperty("relay.war")))
                .as(WebArchive.class);
    }

    @BeforeAll
    static void tlsClient() throws Exception {
        client = TestTls.clientManager();
        relay = URI.create("wss://localhost:" + System.getProperty("relay.test.sslport") + "/relay");
    }

    @AfterAll
    static void stopClient() {
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
    void refusesASessionIdThatAnotherLiveConnectionOwns() throws Exception {
        try (TestRelayClient owner = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient thief = TestRelayClient.open(client, relay, owner.id);
             TestRelayClient sender = TestRelayClient.connect(client, relay, RANDOM)) {
            RelayFrame.Error refused = assertInstanceOf(RelayFrame.Error.class, thief.next());
            assertEquals(RelayFrame.ErrorCode.SESSION_ID_TAKEN, refused.errorCode());

            sender.send(owner.id, new byte[] {42});
            RelayFrame.Deliver delivered = assertInstanceOf(RelayFrame.Deliver.class, owner.next());
            assertArrayEquals(new byte[] {42}, delivered.payloadBytes());
            assertEquals(0, thief.pending(), "the refused connection must receive nothing for the owner");
        }
    }

    @Test
    void aSessionIdIsFreeAgainOnceItsConnectionClosed() throws Exception {
        SessionId id;
        try (TestRelayClient first = TestRelayClient.connect(client, relay, RANDOM)) {
            id = first.id;
        }
        // The close handshake may still be in flight: retry registration until the relay frees it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (TestRelayClient again = TestRelayClient.open(client, relay, id)) {
                RelayFrame.ServerFrame answer = again.next();
                if (answer instanceof RelayFrame.Registered) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "session ID still taken 10 s after its owner closed");
            }
        }
    }

    @Test
    void closesMalformedFramesWithProtocolErrorAndTextFramesWithUnsupportedData() throws Exception {
        try (TestRelayClient bad = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient text = TestRelayClient.connect(client, relay, RANDOM);
             TestRelayClient unregistered = TestRelayClient.open(client, relay, SessionId.random(RANDOM));
             TestRelayClient honest = TestRelayClient.connect(client, relay, RANDOM)) {
            bad.sendRaw(ByteBuffer.wrap(new byte[] {1, 0x02, 0x00})); // SEND truncated in its ID
            text.sendText("hello");

            assertEquals(RelayCloseCodes.PROTOCOL_ERROR, bad.awaitClose().getCloseCode().getCode());
            assertEquals(RelayCloseCodes.UNSUPPORTED_DATA, text.awaitClose().getCloseCode().getCode());

            // The relay and other connections go on.
            honest.send(honest.id, new byte[] {7});
            assertArrayEquals(new byte[] {7},
                    assertInstanceOf(RelayFrame.Deliver.class, honest.next()).payloadBytes());
        }
    }

    @Test
    void closesAFrameOverTheSizeLimitWith1009() throws Exception {
        try (TestRelayClient big = TestRelayClient.connect(client, relay, RANDOM)) {
            big.send(big.id, new byte[64 * 1024 + 1]);
            assertEquals(RelayCloseCodes.TOO_BIG, big.awaitClose().getCloseCode().getCode());
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

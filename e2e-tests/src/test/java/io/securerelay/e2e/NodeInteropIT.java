package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An independent client (Node.js, its OpenSSL crypto and the npm {@code ws} package, written from
 * docs/PROTOCOL.md) and a Java (Tyrus) client register self-certifying session IDs and exchange
 * frames through the relay started by the launcher: the relay protocol is not Java-only.
 */
class NodeInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LauncherRelay relay;
    private static ClientManager tyrus;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = LauncherRelay.shared();
        tyrus = TestTls.clientManager();
    }

    @AfterAll
    static void stopClient() throws Exception {
        if (tyrus != null) {
            tyrus.shutdown();
        }
    }

    private static LineProcess nodeClient() throws Exception {
        Path root = Path.of(System.getProperty("project.root"));
        ProcessBuilder pb = new ProcessBuilder("node", root.resolve("interop/node/relay-client.js").toString(),
                "--url", relay.uri().toString(), "--ca", TestTls.certsDir().resolve("ca.pem").toString());
        return new LineProcess("node", pb);
    }

    @Test
    void nodeAndJavaClientsExchangeFramesBothWaysInOrder() throws Exception {
        try (LineProcess node = nodeClient();
             TestRelayClient java = TestRelayClient.connect(tyrus, relay.uri(), RANDOM)) {
            byte[] nodeKey = HEX.parseHex(node.await(l -> l.startsWith("routing-key "), WAIT, "routing key")
                    .substring("routing-key ".length()));
            SessionId nodeId = SessionId.parse(node.await(l -> l.startsWith("registered "), WAIT, "registration")
                    .substring("registered ".length()));
            // Node (OpenSSL) made the key and the signature; the relay (BouncyCastle) accepted them,
            // and both sides derive the same self-certifying ID from the key.
            assertEquals(RoutingKey.sessionIdOf(nodeKey), nodeId);

            int frames = 100;
            byte[][] toNode = new byte[frames][];
            byte[][] toJava = new byte[frames][];
            for (int i = 0; i < frames; i++) {
                toNode[i] = randomPayload(i);
                toJava[i] = randomPayload(i);
                java.send(nodeId, toNode[i]);
                node.println("send " + java.id.toHex() + " " + HEX.formatHex(toJava[i]));
            }
            for (int i = 0; i < frames; i++) {
                assertEquals("deliver " + java.id.toHex() + " " + HEX.formatHex(toNode[i]), node.nextLine(WAIT),
                        "frame " + i + " at the Node client");
                RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, java.next());
                assertEquals(nodeId, d.from());
                assertArrayEquals(toJava[i], d.payloadBytes(), "frame " + i + " at the Java client");
            }
        }
    }

    @Test
    void nodeClientGetsTheDocumentedErrorForAnUnknownPeer() throws Exception {
        try (LineProcess node = nodeClient()) {
            node.await(l -> l.startsWith("registered "), WAIT, "registration");
            SessionId nobody = SessionId.random(RANDOM);
            node.println("send " + nobody.toHex() + " 00");
            assertEquals("error 1 " + nobody.toHex() + " peer not connected", node.nextLine(WAIT));
            node.println("close");
            assertEquals("closed 1000 done", node.nextLine(WAIT));
        }
    }

    private static byte[] randomPayload(int i) {
        byte[] b = new byte[1 + (i * 37) % 2000];
        RANDOM.nextBytes(b);
        return b;
    }
}

package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.keystore.StorageSecret;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RoutingKey;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay link against a malicious relay: a TLS WebSocket server on loopback (written here, raw
 * frames) that answers the challenge honestly, registers the client, then sends a frame that is no
 * relay frame. The client must refuse it with one error event and one count, close the connection
 * with 1002 itself, and say so in the reconnect line.
 */
class RelayLinkTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void aMalformedFrameFromTheRelayIsReportedCountedAndTheClientClosesWith1002() throws Exception {
        Path p12 = dir.resolve("relay.p12");
        TlsTest.keytool("-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "relay-password");
        Path ca = dir.resolve("relay.pem");
        TlsTest.keytool("-exportcert", "-rfc", "-alias", "relay", "-keystore", p12.toString(), "-storepass",
                "relay-password", "-file", ca.toString());
        byte[] garbage = {1, (byte) 0x99, 0, 0, 0};
        try (MaliciousRelay relay = new MaliciousRelay(p12, "relay-password".toCharArray(), garbage)) {
            ScheduledExecutorService actor = Executors.newSingleThreadScheduledExecutor();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
            Outbox store = FileOutbox.open(dir, "bank",
                    StorageSecret.random(RANDOM).deriveKey("outbox/bank"), RANDOM);
            Conversation conversation = new Conversation("customer", null, identity, new InMemoryPeerTrustStore("customer"),
                    store, new UserIo(new PrintStream(out, true, StandardCharsets.UTF_8), true, "customer"),
                    new ExecutorEventLoop(actor), RANDOM, Clock.systemUTC(), SessionPolicy.DEFAULT,
                    new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO), new BatchRun(0, Duration.ofMinutes(2)));
            java.util.concurrent.CountDownLatch reconnecting = new java.util.concurrent.CountDownLatch(1);
            RelayLink.Listener listener = new RelayLink.Listener() { // the conversation, and a latch on reconnects
                @Override
                public void registered(io.securerelay.protocol.relay.SessionId self, URI relay) {
                    conversation.registered(self, relay);
                }

                @Override
                public void disconnected(RelayLink.ClosedBy closedBy, String why, Duration retryIn) {
                    conversation.disconnected(closedBy, why, retryIn);
                    reconnecting.countDown();
                }

                @Override
                public void rejectedRelayFrame(String problem, int length) {
                    conversation.rejectedRelayFrame(problem, length);
                }

                @Override
                public void delivered(io.securerelay.protocol.relay.SessionId from, byte[] payload) {
                    conversation.delivered(from, payload);
                }

                @Override
                public void relayError(io.securerelay.protocol.relay.RelayFrame.Error error) {
                    conversation.relayError(error);
                }

                @Override
                public void tlsFailed(String why) {
                    conversation.tlsFailed(why);
                }

                @Override
                public void takenOver(String why) {
                    conversation.takenOver(why);
                }
            };
            RelayLink link = new RelayLink(List.of(URI.create("wss://127.0.0.1:" + relay.port() + "/relay")),
                    Tls.context(ca, null), RoutingKey.generate(RANDOM), listener, actor, RANDOM);
            try {
                conversation.start(link);
                assertEquals(1002, relay.closeCode.get(60, TimeUnit.SECONDS), "the client closes with 1002");
                assertTrue(reconnecting.await(30, TimeUnit.SECONDS), "no reconnect after the close");
                actor.submit(() -> { }).get(10, TimeUnit.SECONDS); // the events queued before have been printed
                String output = out.toString(StandardCharsets.UTF_8);
                List<String> lines = output.lines().toList();
                List<BatchEvents.Event> errors = lines.stream().map(BatchEvents::parse)
                        .filter(e -> e.name().equals("error")).toList();
                assertEquals(1, errors.size(), output);
                BatchEvents.Event e = errors.get(0);
                assertEquals("malformed-relay-frame", e.get("code"), output);
                assertEquals("relay", e.get("from"));
                assertEquals("relay-frame", e.get("dropped"));
                assertEquals("5", e.get("bytes"));
                assertEquals(1, conversation.rejections().count(Rejections.Kind.MALFORMED_RELAY_FRAME));
                BatchEvents.Event reconnect = lines.stream().map(BatchEvents::parse)
                        .filter(x -> x.name().equals("reconnecting")).findFirst().orElseThrow();
                assertEquals("client", reconnect.get("closedBy"), output);
                assertTrue(reconnect.get("reason").startsWith("closed by this client (1002"), output);
            } finally {
                link.close();
                actor.shutdownNow();
                assertTrue(actor.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    /** A relay that speaks just enough WebSocket over TLS to register a client, then misbehaves once. */
    static final class MaliciousRelay implements AutoCloseable {
        private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final SSLServerSocket server;
        private final Thread thread;
        private final byte[] garbage;
        private volatile Socket current;

        MaliciousRelay(Path p12, char[] password, byte[] garbage) throws Exception {
            this.garbage = garbage;
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "malicious-relay");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            try {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        current = s;
                        s.setSoTimeout(30_000);
                        handle(s);
                    } catch (IOException e) {
                        if (server.isClosed()) {
                            return;
                        }
                    }
                }
            } catch (Exception e) {
                closeCode.completeExceptionally(e);
            }
        }

        private void handle(Socket s) throws Exception {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String request = readHeaders(in);
            Matcher key = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)").matcher(request);
            if (!key.find()) {
                return;
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key.group(1) + GUID).getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            if (closeCode.isDone()) {
                return; // later connections: accepted, then dropped
            }
            byte[] challenge = new byte[34];
            challenge[0] = 1;
            challenge[1] = (byte) 0x80;
            writeFrame(out, 0x2, challenge);
            byte[] register = readFrame(in)[1];
            byte[] sid = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(register, 2, 67)), 16);
            byte[] registered = new byte[18];
            registered[0] = 1;
            registered[1] = (byte) 0x81;
            System.arraycopy(sid, 0, registered, 2, 16);
            writeFrame(out, 0x2, registered);
            writeFrame(out, 0x2, garbage);
            for (int i = 0; i < 100; i++) {
                byte[][] f = readFrame(in);
                if (f[0][0] == 0x8) {
                    closeCode.complete(((f[1][0] & 0xff) << 8) | (f[1][1] & 0xff));
                    writeFrame(out, 0x8, Arrays.copyOf(f[1], 2));
                    return;
                }
            }
        }

        private static String readHeaders(DataInputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the upgrade request");
                }
                sb.append((char) b);
            }
            return sb.toString();
        }

        /** @return {opcode}, payload (unmasked) */
        private static byte[][] readFrame(DataInputStream in) throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            return new byte[][] {{(byte) (b0 & 0x0f)}, payload};
        }

        private static void writeFrame(OutputStream out, int opcode, byte[] payload) throws IOException {
            out.write(0x80 | opcode);
            out.write(payload.length); // all frames here are shorter than 126 bytes
            out.write(payload);
            out.flush();
        }

        @Override
        public void close() throws Exception {
            server.close();
            Socket s = current;
            if (s != null) {
                s.close(); // unblocks a read of the connection being served
            }
            thread.join(10_000);
        }
    }
}

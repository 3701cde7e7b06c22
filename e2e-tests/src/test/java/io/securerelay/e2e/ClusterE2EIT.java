package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.relay.testkit.HeadlessChromium;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay cluster of two real Payara Micro processes started by {@code ./secure-relay cluster 2}
 * (instances A and B, TLS, their own Hazelcast cluster on loopback): frames cross instances to the
 * right peer exactly once and in order, session-ID ownership holds across instances, directory
 * entries vanish when a connection closes and when an instance is killed, and a bank client fails
 * over from a killed instance to the other one without losing or repeating a message. The last test
 * kills instance A, so the order of the tests is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2EIT {

    private static final int A = 0;
    private static final int B = 1;
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration METRIC_WAIT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LauncherCluster cluster;
    private static ClientManager tyrus;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LauncherCluster.start(List.of(
                new LauncherCluster.Instance(Integer.getInteger("e2e.cluster.a.port"),
                        Integer.getInteger("e2e.cluster.a.httpport"), Integer.getInteger("e2e.cluster.a.gridport")),
                new LauncherCluster.Instance(Integer.getInteger("e2e.cluster.b.port"),
                        Integer.getInteger("e2e.cluster.b.httpport"), Integer.getInteger("e2e.cluster.b.gridport"))));
        System.out.printf("cluster '%s' of 2 instances started by the launcher, both ready after %d ms%n",
                cluster.name(), cluster.bootTime().toMillis());
        awaitMetric(A, "relay_cluster_members", 2);
        awaitMetric(B, "relay_cluster_members", 2);
        tyrus = TestTls.clientManager();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void manyPairsOverTwoInstancesEachFrameOnceInOrderToTheRightPeer() throws Exception {
        int pairs = 16;
        int frames = 100;
        List<TestRelayClient[]> clients = new ArrayList<>();
        int crossPairs = 0;
        double forwarded0 = metric(A, "relay_cluster_frames_forwarded_total") + metric(B, "relay_cluster_frames_forwarded_total");
        try {
            for (int i = 0; i < pairs; i++) {
                int x = i % 2;
                int y = i % 4 == 3 ? x : 1 - x; // 12 pairs across instances, 4 on one instance
                crossPairs += x != y ? 1 : 0;
                clients.add(new TestRelayClient[] {
                    TestRelayClient.connect(tyrus, cluster.instance(x).uri(), RANDOM),
                    TestRelayClient.connect(tyrus, cluster.instance(y).uri(), RANDOM)});
            }
            // Every registration is in the cluster's one directory, seen alike from both instances.
            assertEquals(2 * pairs, metric(A, "relay_cluster_directory_entries"), "directory entries seen from A");
            assertEquals(2 * pairs, metric(B, "relay_cluster_directory_entries"), "directory entries seen from B");

            for (int k = 0; k < frames; k++) {
                for (int i = 0; i < pairs; i++) {
                    TestRelayClient[] p = clients.get(i);
                    p[0].send(p[1].id, payload(i, "x", k));
                    p[1].send(p[0].id, payload(i, "y", k));
                }
            }
            for (int i = 0; i < pairs; i++) {
                TestRelayClient[] p = clients.get(i);
                for (int k = 0; k < frames; k++) {
                    assertDelivered(p[1], p[0], payload(i, "x", k));
                    assertDelivered(p[0], p[1], payload(i, "y", k));
                }
            }
            for (TestRelayClient[] p : clients) {
                // Nothing more (no duplicate) arrives behind the last expected frame.
                assertEquals(null, p[0].poll(Duration.ofMillis(200)), "an extra frame arrived");
                assertEquals(null, p[1].poll(Duration.ofMillis(200)), "an extra frame arrived");
            }
            double forwarded = metric(A, "relay_cluster_frames_forwarded_total")
                    + metric(B, "relay_cluster_frames_forwarded_total") - forwarded0;
            System.out.printf("%d pairs (%d across instances), %d frames each way: %d frames delivered,"
                    + " %.0f crossed instances%n", pairs, crossPairs, frames, 2 * pairs * frames, forwarded);
            assertEquals(2.0 * crossPairs * frames, forwarded, "frames forwarded between the instances");
            // The admin console of each instance lists both members and the traffic between them.
            for (int i : new int[] {A, B}) {
                String stats = cluster.adminStats(i);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\"cluster\":\\{\"enabled\":true,\"members\":\\[([^\\]]*)\\].*?\"framesForwarded\":(\\d+),"
                        + "\"framesReceived\":(\\d+)").matcher(stats);
                assertTrue(m.find(), "cluster figures in the admin JSON: " + stats);
                assertTrue(m.group(1).contains("127.0.0.1:" + cluster.instance(A).gridPort())
                        && m.group(1).contains("127.0.0.1:" + cluster.instance(B).gridPort()), "both members: " + m.group(1));
                assertTrue(Long.parseLong(m.group(2)) > 0 && Long.parseLong(m.group(3)) > 0,
                        "frames forwarded and received by instance " + i + ": " + stats);
                System.out.println("admin console of instance " + (i == A ? "A" : "B") + ": " + stats.substring(stats.indexOf("\"cluster\"")));
            }
        } finally {
            for (TestRelayClient[] p : clients) {
                p[0].close();
                p[1].close();
            }
        }
        // Closed connections leave the directory, on both instances' view of it.
        awaitMetric(A, "relay_cluster_directory_entries", 0);
        awaitMetric(B, "relay_cluster_directory_entries", 0);
    }

    @Test
    @Order(2)
    void noHijackAcrossInstancesAndTakeOverByTheOwnerClosesTheOldConnectionWith4001() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        try (TestRelayClient owner = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), key);
             TestRelayClient peerOnB = TestRelayClient.connect(tyrus, cluster.instance(B).uri(), RANDOM);
             TestRelayClient peerOnA = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), RANDOM);
             TestRelayClient thief = TestRelayClient.open(tyrus, cluster.instance(B).uri())) {
            // The owner's REGISTER, replayed on instance B (it signs A's challenge, not B's): refused.
            thief.sendRegister(owner.sentRegister());
            assertEquals(RelayCloseCodes.REGISTRATION_INVALID, thief.awaitClose().getCloseCode().getCode());
            // The ID still routes to its owner on A, from B.
            peerOnB.send(owner.id, bytes("still the owner's"));
            assertDelivered(owner, peerOnB, bytes("still the owner's"));

            // The owner itself, from instance B: takes its ID over; A closes the old connection with 4001.
            try (TestRelayClient owner2 = TestRelayClient.connect(tyrus, cluster.instance(B).uri(), key)) {
                assertEquals(RelayCloseCodes.TAKEN_OVER, owner.awaitClose().getCloseCode().getCode());
                peerOnA.send(owner.id, bytes("to the new connection, across"));
                assertDelivered(owner2, peerOnA, bytes("to the new connection, across"));
                peerOnB.send(owner.id, bytes("to the new connection, same instance"));
                assertDelivered(owner2, peerOnB, bytes("to the new connection, same instance"));
                assertEquals(3, metric(A, "relay_cluster_directory_entries"), "owner, two peers");
            }
        }
        awaitMetric(A, "relay_cluster_directory_entries", 0);
        awaitMetric(B, "relay_cluster_directory_entries", 0);
    }

    @Test
    @Order(3)
    void bankFailsOverWhenItsInstanceIsKilledMidStreamAndNothingIsLostOrRepeated() throws Exception {
        int messages = 1000;
        Path keys = dir.resolve("keys");
        Path bankScript = ClientProcess.script(dir, "from bank", messages);
        Path customerScript = ClientProcess.script(dir, "from customer", messages);
        try (TestRelayClient idleOnA = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), RANDOM);
             ClientProcess customer = ClientProcess.start("customer", keys, cluster.instance(B).uri(), customerScript,
                     messages, null);
             ClientProcess bank = ClientProcess.start("bank", keys, cluster.instance(A).uri(), bankScript, messages,
                     customer.sessionId(WAIT), "--relay", cluster.instance(B).uri().toString())) {
            // Both ways across instances first: the bank is on A, the customer on B.
            customer.await(l -> l.startsWith("received 200 "), WAIT, "the 200th message at the customer");
            bank.await(l -> l.startsWith("received 100 "), WAIT, "the 100th message at the bank");
            assertTrue(metric(A, "relay_cluster_frames_forwarded_total") > 0, "A forwarded the bank's frames to B");
            assertTrue(metric(B, "relay_cluster_frames_forwarded_total") > 0, "B forwarded the customer's frames to A");

            long killed = System.nanoTime();
            cluster.crash(A);
            System.out.println("instance A killed (SIGKILL) after the customer received 200 messages");
            awaitMetric(B, "relay_cluster_members", 1);
            System.out.printf("instance B saw A leave the cluster %d ms after the kill%n",
                    Duration.ofNanos(System.nanoTime() - killed).toMillis());

            assertEquals(0, bank.exitCode(WAIT), bank.transcript());
            assertEquals(0, customer.exitCode(WAIT), customer.transcript());
            assertEquals(ClientProcess.expected("from customer", messages), ClientProcess.received(bank.transcript()));
            assertEquals(ClientProcess.expected("from bank", messages), ClientProcess.received(customer.transcript()));
            System.out.printf("bank failed over to B; %d messages each way arrived exactly once, in order, %d ms after"
                    + " the kill%n", messages, Duration.ofNanos(System.nanoTime() - killed).toMillis());

            // The idle client's entry died with A: B's directory holds nothing, and B refuses its ID.
            awaitMetric(B, "relay_cluster_directory_entries", 0);
            try (TestRelayClient probe = TestRelayClient.connect(tyrus, cluster.instance(B).uri(), RANDOM)) {
                probe.send(idleOnA.id, bytes("anyone?"));
                RelayFrame.Error error = assertInstanceOf(RelayFrame.Error.class, probe.next());
                assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), error.code());
            }
        }
    }

    private static void assertDelivered(TestRelayClient to, TestRelayClient from, byte[] payload) throws Exception {
        RelayFrame.ServerFrame f = to.next();
        RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, f, "expected a DELIVER");
        assertEquals(from.id, d.from(), "sender of a delivered frame");
        assertArrayEquals(payload, d.payloadBytes(), "payload (order and content)");
    }

    private static byte[] payload(int pair, String side, int k) {
        return bytes("pair " + pair + " " + side + " " + k);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static double metric(int instance, String name) {
        return cluster.metric(instance, name);
    }

    /** Polls instance {@code i}'s metrics until {@code name} equals {@code value}; fails after a minute. */
    private static void awaitMetric(int i, String name, double value) throws InterruptedException {
        HeadlessChromium.waitFor(METRIC_WAIT, () -> cluster.metric(i, name) == value,
                name + " of instance " + (i == A ? "A" : "B") + " did not reach " + value + " (last: "
                        + cluster.metric(i, name) + ")");
    }
}

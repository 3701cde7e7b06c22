package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.testkit.HeadlessChromium;
import io.securerelay.relay.testkit.ListeningSockets;
import io.securerelay.relay.testkit.TestRelayClient;
import io.securerelay.relay.testkit.TestTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * (instances A and B, TLS) on a real {@code redis-server} started by {@code ./secure-relay redis}
 * (TLS only, one ACL user) on a loopback port of this run. What the processes listen on (and that
 * no Hazelcast client gets in), what Redis lets a client without credentials and the relays' own
 * user do; frames cross instances to the right peer exactly once and in order, session-ID
 * ownership holds across instances, directory entries vanish when a connection closes and when an
 * instance is killed; a Redis restart leaves pairs on one instance untouched and cross-instance
 * traffic resumes, with {@code /health} down then up; relays with a wrong password, without TLS or
 * with an untrusted certificate refuse to start with one line; a bank client fails over from a
 * killed instance to the other one without losing or repeating a message. The last test kills
 * instance A, so the order of the tests is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2EIT {

    private static final int A = 0;
    private static final int B = 1;
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration METRIC_WAIT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LauncherRedis redis;
    private static LauncherCluster cluster;
    private static ClientManager tyrus;
    /** The three relays that must refuse to start, launched once the cluster is up, checked in their own test. */
    private static ExecutorService refusals;
    private static Map<String, Future<String>> refused = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        Path work = Path.of(System.getProperty("e2e.workdir"));
        redis = LauncherRedis.start(Integer.getInteger("e2e.cluster.redisport"), work.resolve("redis"));
        cluster = LauncherCluster.start(List.of(
                new LauncherCluster.Instance(Integer.getInteger("e2e.cluster.a.port"), Integer.getInteger("e2e.cluster.a.httpport")),
                new LauncherCluster.Instance(Integer.getInteger("e2e.cluster.b.port"), Integer.getInteger("e2e.cluster.b.httpport"))),
                redis);
        System.out.printf("cluster of 2 instances started by the launcher on redis-server %d, both ready after %d ms%n",
                redis.server().pid(), cluster.bootTime().toMillis());
        startRefusals(work);
        awaitMetric(A, "relay_cluster_members", 2);
        awaitMetric(B, "relay_cluster_members", 2);
        tyrus = TestTls.clientManager();
    }

    /** Wrong password, no TLS, an untrusted CA: three one-instance clusters booting beside the tests. */
    private static void startRefusals(Path work) throws Exception {
        Path wrong = work.resolve("wrong-redis-password");
        Files.writeString(wrong, "not-the-password\n");
        Path otherCa = work.resolve("other-ca.pem");
        if (!Files.exists(otherCa)) {
            Path ks = work.resolve("other-ca.p12");
            Files.deleteIfExists(ks);
            run("keytool", "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=not the project's CA", "-ext", "bc:c=ca:true", "-validity", "2",
                    "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
            run("keytool", "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit",
                    "-file", otherCa.toString());
        }
        String pass = redis.passwordFile().toString();
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("wrong password", Map.of("RELAY_REDIS_URI", redis.uri(), "RELAY_REDIS_PASSWORD_FILE", wrong.toString()));
        cases.put("no TLS", Map.of("RELAY_REDIS_URI", "redis://secure-relay@127.0.0.1:" + redis.port(),
                "RELAY_REDIS_PASSWORD_FILE", pass));
        cases.put("untrusted certificate", Map.of("RELAY_REDIS_URI", redis.uri(), "RELAY_REDIS_PASSWORD_FILE", pass,
                "RELAY_REDIS_CA", otherCa.toString()));
        refusals = Executors.newFixedThreadPool(cases.size());
        for (var c : cases.entrySet()) {
            LauncherCluster.Instance instance = new LauncherCluster.Instance(freePort(), freePort());
            refused.put(c.getKey(), refusals.submit(() -> LauncherCluster.refusedStart(instance, c.getValue())));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (refusals != null) {
            refusals.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * No data grid in cluster mode either: each relay JVM listens on its TLS port and its loopback
     * HTTP port only (TCP and UDP), a Hazelcast client gets in through none of them, and
     * redis-server listens on its TLS port on 127.0.0.1 only.
     */
    @Test
    @Order(0)
    void eachInstanceListensOnItsTwoPortsOnlyAndNoHazelcastClientGetsIn() throws Exception {
        List<Integer> allPorts = new ArrayList<>();
        for (int i : new int[] {A, B}) {
            LauncherCluster.Instance in = cluster.instance(i);
            List<ListeningSockets.Listener> listeners = ListeningSockets.of(cluster.jvm(i).pid());
            System.out.println("instance " + name(i) + " (JVM " + cluster.jvm(i).pid() + ") listens on: " + listeners);
            List<ListeningSockets.Listener> unexpected = listeners.stream()
                    .filter(l -> !(l.protocol().equals("tcp") && l.port() == in.port() && l.anyAddress())
                            && !(l.protocol().equals("tcp") && l.port() == in.httpPort() && l.loopback()))
                    .collect(Collectors.toList());
            assertTrue(unexpected.isEmpty(), "instance " + name(i) + " listens on more than its two ports: " + unexpected);
            assertEquals(2, listeners.size(), "instance " + name(i) + ": " + listeners);
            listeners.forEach(l -> allPorts.add(l.port()));
        }
        assertEquals(List.of(), HazelcastProbe.joinedThrough(allPorts), "a Hazelcast client joined an instance through these ports");
        System.out.println("a Hazelcast client was refused on every port of both instances: " + allPorts);
        List<ListeningSockets.Listener> redisListeners = ListeningSockets.of(redis.server().pid());
        System.out.println("redis-server (" + redis.server().pid() + ") listens on: " + redisListeners);
        assertEquals(List.of(new ListeningSockets.Listener("tcp", "127.0.0.1", redis.port())), redisListeners);
    }

    /**
     * Redis gives a client without credentials nothing, not even over TLS, and answers no plain
     * TCP client; the relays' own ACL user may not run CONFIG, FLUSHALL, KEYS, DEBUG, MODULE or
     * scripts, nor touch keys and channels outside the relay's prefix. The password is in no log.
     */
    @Test
    @Order(0)
    void redisGivesNothingWithoutCredentialsAndTheRelaysUserOnlyWhatItNeeds() throws Exception {
        javax.net.ssl.SSLContext trust = TestTls.trustingProjectCa();
        try (RespClient anonymous = RespClient.tls(trust, redis.port())) {
            assertTrue(anonymous.command("PING").startsWith("-NOAUTH"), "PING without credentials");
            assertTrue(anonymous.command("GET", "sr:members").startsWith("-NOAUTH"), "GET without credentials");
            assertTrue(anonymous.command("KEYS", "*").startsWith("-NOAUTH"), "KEYS without credentials");
            assertTrue(anonymous.command("AUTH", "default", "").startsWith("-WRONGPASS"), "the default user is off");
            assertTrue(anonymous.command("HELLO", "3").startsWith("-NOAUTH"), "HELLO without credentials");
        }
        try (RespClient plain = RespClient.plain(redis.port())) {
            String answer;
            try {
                answer = plain.command("PING");
            } catch (java.io.IOException reset) {
                answer = null;
            }
            assertEquals(null, answer, "a plain-text client got an answer");
        }
        try (RespClient relay = RespClient.tls(trust, redis.port())) {
            assertEquals("+OK", relay.command("AUTH", "secure-relay", redis.password()));
            assertEquals("+PONG", relay.command("PING"));
            for (String[] refusedCommand : new String[][] {{"CONFIG", "GET", "*"}, {"FLUSHALL"}, {"FLUSHDB"}, {"KEYS", "*"},
                    {"SCAN", "0"}, {"DEBUG", "SLEEP", "0"}, {"MODULE", "LIST"}, {"SCRIPT", "FLUSH"},
                    {"EVAL", "return 1", "0"}, {"ACL", "LIST"}, {"SHUTDOWN"}, {"MONITOR"}, {"CLIENT", "LIST"},
                    {"SUBSCRIBE", "sr:x"}}) {
                String answer = relay.command(refusedCommand);
                // DEBUG and MODULE are also off for everybody (enable-debug-command, enable-module-command
                // no), and Redis says so before it checks the ACL.
                boolean offForAll = answer.startsWith("-ERR " + refusedCommand[0] + " command not allowed");
                assertTrue(answer.startsWith("-NOPERM") || offForAll, String.join(" ", refusedCommand) + " answered " + answer);
            }
            assertTrue(relay.command("GET", "foreign-key").startsWith("-NOPERM"), "a key outside sr:");
            assertTrue(relay.command("SPUBLISH", "foreign-channel", "x").startsWith("-NOPERM"), "a channel outside sr:");
            assertEquals("$-1", relay.command("GET", "sr:dir:not-a-session"), "a key under sr: is readable");
        }
        String password = redis.password();
        try (var logs = Files.walk(Path.of(System.getProperty("e2e.workdir")))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out"))
                    .collect(Collectors.toList())) {
                assertTrue(!Files.readString(log, StandardCharsets.ISO_8859_1).contains(password),
                        "the Redis password is in " + log);
            }
        }
        assertTrue(!cluster.transcript().contains(password), "the Redis password is in the launcher's output");
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
            // Every registration is in the cluster's one directory, seen alike from both instances
            // (the figure is read at each housekeeping round: within 2 s).
            awaitMetric(A, "relay_cluster_directory_entries", 2 * pairs);
            awaitMetric(B, "relay_cluster_directory_entries", 2 * pairs);

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
                        "\"cluster\":\\{\"enabled\":true,\"redis\":\"up\",\"members\":\\[([^\\]]*)\\].*?\"framesForwarded\":(\\d+),"
                        + "\"framesReceived\":(\\d+)").matcher(stats);
                assertTrue(m.find(), "cluster figures in the admin JSON: " + stats);
                assertTrue(m.group(1).split(",").length == 2 && m.group(1).contains(" (this instance)"),
                        "both members, this one marked: " + m.group(1));
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
                awaitMetric(A, "relay_cluster_directory_entries", 3); // owner, two peers
            }
        }
        awaitMetric(A, "relay_cluster_directory_entries", 0);
        awaitMetric(B, "relay_cluster_directory_entries", 0);
    }

    /**
     * Redis stopped and started again in the middle: a pair on one instance goes on as if nothing
     * happened; a pair across instances gets an ERROR for each frame while Redis is away (never
     * silence), and once both instances report {@code /health} UP again its frames cross again, in
     * order; {@code /health} is DOWN (503) while Redis is away.
     */
    @Test
    @Order(3)
    void aRedisRestartLeavesPairsOnOneInstanceAloneAndCrossInstanceTrafficResumes() throws Exception {
        try (TestRelayClient sameA1 = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), RANDOM);
             TestRelayClient sameA2 = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), RANDOM);
             TestRelayClient onA = TestRelayClient.connect(tyrus, cluster.instance(A).uri(), RANDOM);
             TestRelayClient onB = TestRelayClient.connect(tyrus, cluster.instance(B).uri(), RANDOM)) {
            awaitHealth(A, 200);
            awaitHealth(B, 200);
            onA.send(onB.id, bytes("across, before"));
            assertDelivered(onB, onA, bytes("across, before"));

            long stopped = System.nanoTime();
            redis.stop();
            System.out.println("redis-server stopped");
            awaitHealth(A, 503);
            awaitHealth(B, 503);
            System.out.printf("/health DOWN on both instances %d ms after Redis stopped: %s%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toMillis(), cluster.health(A).body());
            exchangeInOrder(sameA1, sameA2, 0, 50);
            onA.send(onB.id, bytes("across, Redis away"));
            RelayFrame.Error error = assertInstanceOf(RelayFrame.Error.class, onA.next(), "an ERROR while Redis is away");
            assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), error.code());
            assertEquals(null, onB.poll(Duration.ofMillis(500)), "a frame crossed without Redis");

            long started = System.nanoTime();
            redis.start();
            awaitHealth(A, 200);
            awaitHealth(B, 200);
            System.out.printf("/health UP on both instances %d ms after Redis started again%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            // Each instance writes its sessions back into the directory and marks itself alive in
            // its first round after the restart; the other instance sees it at its next round (a
            // third of the TTL later). Until then a frame across gets PEER_NOT_CONNECTED, never
            // silence: wait for the crossing to work both ways, then check order.
            awaitCrossing(onA, onB, Duration.ofSeconds(15));
            awaitCrossing(onB, onA, Duration.ofSeconds(15));
            System.out.printf("frames cross instances again both ways %d ms after Redis started again%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            exchangeInOrder(onA, onB, 1, 50);
            assertEquals(null, sameA1.poll(Duration.ofMillis(200)), "an extra frame arrived");
            assertEquals(null, onA.poll(Duration.ofMillis(200)), "an extra frame arrived");
            System.out.println("after the restart 50 frames each way crossed instances, in order");
        }
    }

    /**
     * A relay whose Redis settings are wrong does not start, and says why in one line, with no
     * stack trace and no password on the terminal: a wrong password, a {@code redis://} URI (no
     * TLS), a CA that did not issue Redis' certificate.
     */
    @Test
    @Order(4)
    void aRelayWithAWrongPasswordNoTlsOrAnUntrustedCertificateRefusesToStartWithOneLine() throws Exception {
        Map<String, String> expected = Map.of(
                "wrong password", "refused the user 'secure-relay' and its password (WRONGPASS)",
                "no TLS", "relay.cluster.redis.uri must use TLS (rediss:// or rediss-sentinel://), not redis://",
                "untrusted certificate", "presented a certificate that relay.cluster.redis.ca-file");
        String password = redis.password();
        for (var c : refused.entrySet()) {
            String out = c.getValue().get(LauncherCluster.BOOT_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
            List<String> reasons = out.lines().filter(l -> l.contains("does not start:")).collect(Collectors.toList());
            System.out.println(c.getKey() + ": " + reasons);
            assertEquals(1, reasons.size(), c.getKey() + ": one line saying why, in:\n" + out);
            assertTrue(reasons.get(0).contains(expected.get(c.getKey())), c.getKey() + ": " + reasons.get(0));
            assertTrue(!out.contains("relay ready"), c.getKey() + ": announced as ready:\n" + out);
            assertTrue(!out.contains("Exception") && !out.contains("\tat "), c.getKey() + ": a stack trace:\n" + out);
            assertTrue(!out.contains(password), c.getKey() + ": the password is in the output");
        }
    }

    @Test
    @Order(5)
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
            System.out.printf("instance B saw A leave the cluster (its member entry expired) %d ms after the kill%n",
                    Duration.ofNanos(System.nanoTime() - killed).toMillis());

            assertEquals(0, bank.exitCode(WAIT), bank.transcript());
            assertEquals(0, customer.exitCode(WAIT), customer.transcript());
            assertEquals(ClientProcess.expected("from customer", messages), ClientProcess.received(bank.transcript()));
            assertEquals(ClientProcess.expected("from bank", messages), ClientProcess.received(customer.transcript()));
            System.out.printf("bank failed over to B; %d messages each way arrived exactly once, in order, %d ms after"
                    + " the kill%n", messages, Duration.ofNanos(System.nanoTime() - killed).toMillis());

            // The idle client's entry died with A: A no longer refreshes it, and it expires in Redis
            // within the TTL (6 s). B then refuses the idle client's ID.
            javax.net.ssl.SSLContext trust = TestTls.trustingProjectCa();
            try (RespClient relayUser = RespClient.tls(trust, redis.port())) {
                assertEquals("+OK", relayUser.command("AUTH", "secure-relay", redis.password()));
                String key = "sr:dir:" + idleOnA.id.toHex();
                HeadlessChromium.waitFor(Duration.ofSeconds(30), () -> {
                    try {
                        return "$-1".equals(relayUser.command("GET", key));
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }, "the directory entry of A's idle client did not expire");
                System.out.printf("the directory entry of A's idle client expired %d ms after the kill%n",
                        Duration.ofNanos(System.nanoTime() - killed).toMillis());
            }
            try (TestRelayClient probe = TestRelayClient.connect(tyrus, cluster.instance(B).uri(), RANDOM)) {
                probe.send(idleOnA.id, bytes("anyone?"));
                RelayFrame.Error error = assertInstanceOf(RelayFrame.Error.class, probe.next());
                assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), error.code());
            }
        }
    }

    private static String name(int i) {
        return i == A ? "A" : "B";
    }

    /** Polls instance {@code i}'s {@code /health} until it answers {@code status}; fails after a minute. */
    private static void awaitHealth(int i, int status) throws InterruptedException {
        HeadlessChromium.waitFor(METRIC_WAIT, () -> {
            try {
                return cluster.health(i).statusCode() == status;
            } catch (java.io.IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, "/health of instance " + name(i) + " did not answer " + status);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }

    /**
     * Sends probes from {@code x} to {@code y}, one at a time, until one is delivered: each is
     * either delivered or answered with PEER_NOT_CONNECTED (anything else fails), so no probe is
     * left in flight. Fails after {@code within}.
     */
    private static void awaitCrossing(TestRelayClient x, TestRelayClient y, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        for (int n = 0; ; n++) {
            byte[] probe = bytes("probe " + n);
            x.send(y.id, probe);
            RelayFrame.ServerFrame got = y.poll(Duration.ofMillis(500));
            if (got != null) {
                RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, got, "a probe across");
                assertArrayEquals(probe, d.payloadBytes(), "the probe just sent");
                return;
            }
            RelayFrame.ServerFrame answer = x.poll(Duration.ofSeconds(5));
            RelayFrame.Error e = assertInstanceOf(RelayFrame.Error.class, answer, "a probe neither delivered nor refused");
            assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), e.code());
            assertTrue(System.nanoTime() < deadline, "frames did not cross instances again within " + within);
        }
    }

    /** {@code frames} numbered frames each way between {@code x} and {@code y}: all delivered, in order. */
    private static void exchangeInOrder(TestRelayClient x, TestRelayClient y, int pair, int frames) throws Exception {
        for (int k = 0; k < frames; k++) {
            x.send(y.id, payload(pair, "x", k));
            y.send(x.id, payload(pair, "y", k));
        }
        for (int k = 0; k < frames; k++) {
            assertDelivered(y, x, payload(pair, "x", k));
            assertDelivered(x, y, payload(pair, "y", k));
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

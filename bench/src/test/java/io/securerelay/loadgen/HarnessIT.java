package io.securerelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark harness itself, on short runs against real targets: the Node ws relay and TLS
 * echo (real processes), and the relay started by the launcher with the benchmark settings. Its
 * figures are not checked against any aim here (that is the benchmark's job), only that it counts
 * right: every frame it sends is accounted for, and what it reports matches what happened.
 */
@Timeout(600)
class HarnessIT {

    private static final Path ROOT = Path.of(System.getProperty("project.root"));
    private static final Path WORK = Path.of(System.getProperty("bench.workdir"));
    private static final Progress QUIET = new Progress(new PrintStream(OutputStream.nullOutputStream()), true);

    private static Clients clients;
    private static Target nodeRelay;
    private static Target echo;

    @BeforeAll
    static void start() throws Exception {
        clients = new Clients(Tls.trustingProjectCa(ROOT.resolve("certs/generated")), 2);
        nodeRelay = Target.nodeRelay(ROOT, WORK);
        echo = Target.tlsEcho(ROOT, WORK);
    }

    @AfterAll
    static void stop() {
        if (nodeRelay != null) {
            nodeRelay.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void closedLoopThroughARelayAccountsForEveryFrame() throws Exception {
        try (FrameLoad load = FrameLoad.open(nodeRelay, 3, 1024, clients)) {
            FrameLoad.Result r = load.closedLoop(8, Duration.ofMillis(500), Duration.ofSeconds(2), QUIET);
            assertNull(r.failure());
            assertTrue(r.clean(), r.toString());
            assertTrue(r.sent() > 1000, "frames sent: " + r.sent());
            assertEquals(r.sent(), r.received(), "every frame sent arrived once");
            assertTrue(r.framesPerSecond() > 0);
            assertTrue(r.latencyMicros().getTotalCount() > 0);
        }
    }

    /**
     * The harness against a relay that spoils every 40th frame: each fault shows in its own
     * counter, and the run is not reported clean. Without this, a clean result would prove nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"drop", "dup", "reorder", "misroute"})
    void aFaultyRelayIsCaught(String kind) throws Exception {
        try (Target faulty = Target.faultyNodeRelay(ROOT, WORK, kind + ":40");
             FrameLoad load = FrameLoad.open(faulty, 2, 1024, clients).drainTimeout(Duration.ofSeconds(2))) {
            FrameLoad.Result r = load.closedLoop(8, Duration.ZERO, Duration.ofMillis(1500), QUIET);
            assertFalse(r.clean(), r.toString());
            switch (kind) {
                case "drop" -> {
                    assertTrue(r.lost() > 0, r.toString());
                    assertEquals(0, r.duplicates(), r.toString());
                    assertEquals(0, r.misrouted(), r.toString());
                }
                case "dup" -> {
                    assertTrue(r.duplicates() > 0, r.toString());
                    assertEquals(0, r.lost(), r.toString());
                }
                case "reorder" -> {
                    // A frame held back and sent one later is late, not lost and not a duplicate.
                    assertTrue(r.outOfOrder() > 0, r.toString());
                    assertEquals(0, r.duplicates(), r.toString());
                    assertTrue(r.lost() <= 1, "at most the frame still held back at the end: " + r);
                }
                case "misroute" -> {
                    assertTrue(r.misrouted() > 0, r.toString());
                    assertTrue(r.lost() > 0, "a misrouted frame never reaches its receiver: " + r);
                }
                default -> throw new AssertionError(kind);
            }
        }
    }

    @Test
    void openLoopKeepsItsScheduleAndMeasuresFromTheDueTime() throws Exception {
        double offered = 400;
        try (FrameLoad load = FrameLoad.open(echo, 2, 1024, clients)) {
            FrameLoad.Result r = load.openLoop(offered, Duration.ofMillis(500), Duration.ofSeconds(3), QUIET);
            assertTrue(r.clean(), r.toString());
            assertEquals(r.sent(), r.received());
            assertTrue(Math.abs(r.framesPerSecond() - offered) < offered * 0.15,
                    "achieved " + r.framesPerSecond() + " for " + offered + " offered");
            // Latency recorded for the frames due in the measured 3 s: about 1,200.
            long n = r.latencyMicros().getTotalCount();
            assertTrue(n > 1000 && n < 1400, "latency samples: " + n);
        }
    }

    @Test
    void newConnectionsAreCountedWithTheirConnectTime() throws Exception {
        Churn.Result r = Churn.run(nodeRelay, 2, Duration.ofMillis(300), Duration.ofSeconds(2), clients, QUIET);
        assertEquals(0, r.failures(), String.valueOf(r.firstFailure()));
        assertTrue(r.connections() > 0);
        assertEquals(r.connections(), r.connectMicros().getTotalCount());
    }

    @Test
    void encryptedSessionsRunThroughARelay() throws Exception {
        EndToEnd.Result r = EndToEnd.run(nodeRelay, 2, Duration.ofMillis(300), Duration.ofSeconds(2), clients, QUIET);
        assertNull(r.failure());
        assertTrue(r.handshakes() > 0, "handshakes: " + r.handshakes());
        assertTrue(r.messages() > 0, "messages: " + r.messages());
    }

    /**
     * The relay as the benchmark starts it: the launcher, with bench/relay-bench.properties. 300
     * connections from one address are more than the default cap (256): they stay open only if
     * the benchmark's settings reached the relay.
     */
    @Test
    void theRelayStartedByTheLauncherTakesTheBenchmarkSettings() throws Exception {
        try (Target relay = Target.payaraRelay(ROOT, WORK, Duration.ofMinutes(4))) {
            IdleConnections.Result idle = IdleConnections.run(relay, 300, clients, QUIET, Duration.ZERO);
            assertNull(idle.failure());
            assertEquals(idle.probes(), idle.probesOk(), "frames between random pairs of the 300 connections");
            assertTrue(idle.heapAfter().isPresent() && idle.rssAfter() > 0);
            try (FrameLoad load = FrameLoad.open(relay, 2, 1024, clients)) {
                FrameLoad.Result r = load.closedLoop(8, Duration.ofMillis(500), Duration.ofSeconds(2), QUIET);
                assertTrue(r.clean(), r.toString());
                assertEquals(r.sent(), r.received());
            }
        }
    }
}

package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is lost on faults: a stream of 1,000 messages each way goes on while the relay (a real
 * Payara Micro process) is killed and restarted, or while one client process is killed and
 * restarted; every message arrives exactly once, in order. This class has a relay of its own,
 * because it kills it.
 */
class FaultToleranceE2EIT {

    private static final int MESSAGES = 1000;
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static int port;
    private static int httpPort;
    private static LauncherRelay relay;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRelay() throws Exception {
        port = Integer.getInteger("e2e.fault.port");
        httpPort = Integer.getInteger("e2e.fault.httpport");
        relay = LauncherRelay.start(port, httpPort);
    }

    @AfterAll
    static void stopRelay() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void relayKilledAndRestartedMidStreamLosesAndDuplicatesNothing() throws Exception {
        Path keys = dir.resolve("keys");
        Path bankScript = ClientProcess.script(dir, "from bank", MESSAGES);
        Path customerScript = ClientProcess.script(dir, "from customer", MESSAGES);
        try (ClientProcess bank = ClientProcess.start("bank", keys, relay.uri(), bankScript, MESSAGES, null);
             ClientProcess customer = ClientProcess.start("customer", keys, relay.uri(), customerScript, MESSAGES,
                     bank.sessionId(WAIT))) {
            customer.await(l -> l.startsWith("received 200 "), WAIT, "the 200th message at the customer");
            relay.crash();
            System.out.println("relay killed (SIGKILL) after the customer received 200 messages");
            relay = LauncherRelay.start(port, httpPort);
            System.out.printf("relay restarted, ready after %d ms%n", relay.bootTime().toMillis());

            assertEquals(0, bank.exitCode(WAIT), bank.transcript());
            assertEquals(0, customer.exitCode(WAIT), customer.transcript());
            assertEquals(ClientProcess.expected("from customer", MESSAGES), ClientProcess.received(bank.transcript()));
            assertEquals(ClientProcess.expected("from bank", MESSAGES), ClientProcess.received(customer.transcript()));
        }
    }

    @Test
    void clientKilledAndRestartedMidStreamLosesAndDuplicatesNothing() throws Exception {
        Path keys = dir.resolve("keys");
        Path bankScript = ClientProcess.script(dir, "from bank", MESSAGES);
        Path customerScript = ClientProcess.script(dir, "from customer", MESSAGES);
        try (ClientProcess customer = ClientProcess.start("customer", keys, relay.uri(), customerScript, MESSAGES, null)) {
            String customerId = customer.sessionId(WAIT);
            String before;
            try (ClientProcess bank = ClientProcess.start("bank", keys, relay.uri(), bankScript, MESSAGES, customerId)) {
                bank.await(l -> l.startsWith("received 300 "), WAIT, "the 300th message at the bank");
                bank.process().destroyForcibly();
                bank.process().waitFor();
                before = bank.transcript();
            }
            System.out.println("bank client killed (SIGKILL) after it received 300 messages; restarting it");
            try (ClientProcess bank = ClientProcess.start("bank", keys, relay.uri(), bankScript, MESSAGES, customerId)) {
                assertEquals(0, bank.exitCode(WAIT), bank.transcript());
                assertEquals(0, customer.exitCode(WAIT), customer.transcript());
                // The message being shown when the process was killed may be shown again by the
                // restarted one, with the same number (documented: shown first, then recorded).
                java.util.List<String> first = ClientProcess.received(before);
                java.util.List<String> second = ClientProcess.received(bank.transcript());
                if (!first.isEmpty() && !second.isEmpty() && second.get(0).equals(first.get(first.size() - 1))) {
                    System.out.println("the message shown at the kill was shown again after the restart: " + second.get(0));
                    second = second.subList(1, second.size());
                }
                java.util.List<String> both = new java.util.ArrayList<>(first);
                both.addAll(second);
                assertEquals(ClientProcess.expected("from customer", MESSAGES), both, "the bank's two runs together");
                assertEquals(ClientProcess.expected("from bank", MESSAGES), ClientProcess.received(customer.transcript()));
            }
        }
    }
}

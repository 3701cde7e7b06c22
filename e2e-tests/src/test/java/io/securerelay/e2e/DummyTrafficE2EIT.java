package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dummy (cover) messages cannot be told from real ones by the relay. The clients run through a
 * recording relay (interop/node/recording-relay.js, playing a curious relay operator) that logs
 * every forwarded frame; the clients' DEBUG logs name the kind of each sealed message they sent
 * with its ciphertext hash, which gives the ground truth. No field, size or flag the relay sees
 * may separate the dummies from the rest.
 */
class DummyTrafficE2EIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    /** The clients' DEBUG line for every sealed message sent (see Conversation#seal). */
    private static final Pattern SENT = Pattern.compile("out (TEXT #\\d+|ACK \\d+|DUMMY) seq \\d+: (\\d+) bytes, sha256 ([0-9a-f]{16})");
    private static final Pattern RECORD = Pattern.compile(
            "\\{\"from\":\"([0-9a-f]+)\",\"to\":\"([0-9a-f]+)\",\"binary\":(true|false),\"length\":(\\d+),\"head\":\"([0-9a-f]+)\",\"sha256\":\"([0-9a-f]{16})\"\\}");

    @TempDir
    Path dir;

    @Test
    void theRelaySeesNothingThatSeparatesDummiesFromRealMessages() throws Exception {
        Path root = Path.of(System.getProperty("project.root"));
        Path certs = Path.of(System.getProperty("certs.dir"));
        int port = Integer.getInteger("e2e.recording.port");
        Path recording = dir.resolve("frames.jsonl");
        ProcessBuilder pb = new ProcessBuilder("node", root.resolve("interop/node/recording-relay.js").toString(),
                "--port", String.valueOf(port), "--pfx", certs.resolve("relay.p12").toString(),
                "--passfile", certs.resolve("relay.pass").toString(), "--record", recording.toString());
        try (LineProcess relay = new LineProcess("recording-relay", pb)) {
            relay.await(l -> l.startsWith("listening "), WAIT, "listening line");
            URI uri = URI.create("wss://localhost:" + port + "/relay");
            int count = 40;
            Path keys = dir.resolve("keys");
            String[] extra = {"--dummy-interval", "10ms..40ms", "--log-level", "DEBUG"};
            String bankLog;
            String customerLog;
            try (ClientProcess bank = ClientProcess.start("bank", keys, uri,
                    ClientProcess.script(dir, "from bank", count), count, null, extra)) {
                try (ClientProcess customer = ClientProcess.start("customer", keys, uri,
                        ClientProcess.script(dir, "from customer", count), count, bank.sessionId(WAIT), extra)) {
                    assertEquals(0, customer.exitCode(WAIT), customer.transcript());
                    assertEquals(0, bank.exitCode(WAIT), bank.transcript());
                    customerLog = customer.transcript();
                    bankLog = bank.transcript();
                    // Kept as test artifacts: what each side logged at DEBUG, and what the relay saw.
                    Path artifacts = Files.createDirectories(Path.of(System.getProperty("e2e.workdir")));
                    Files.writeString(artifacts.resolve("dummy-bank.log"), bankLog);
                    Files.writeString(artifacts.resolve("dummy-customer.log"), customerLog);
                }
            }

            // DEBUG shows sequence numbers, sizes and ciphertext hashes, never the text itself.
            for (String log : List.of(bankLog, customerLog)) {
                for (String line : log.split("\n")) {
                    if (line.matches("^\\d\\d:\\d\\d:\\d\\d \\S+ io\\.securerelay.*")) {
                        assertTrue(!line.contains("from bank") && !line.contains("from customer"),
                                "plaintext in a log line: " + line);
                    }
                }
            }
            assertTrue(bankLog.contains(" FINE io.securerelay"), "the DEBUG log was on");

            Map<String, String> kindByHash = new HashMap<>();
            for (String log : List.of(bankLog, customerLog)) {
                Matcher m = SENT.matcher(log);
                while (m.find()) {
                    kindByHash.put(m.group(3), m.group(1).replaceAll(" .*", ""));
                }
            }
            Map<String, Set<String>> lengths = new HashMap<>();
            Map<String, Set<String>> flags = new HashMap<>();
            Map<String, Set<String>> fixedHeader = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            for (String line : Files.readAllLines(recording)) {
                Matcher m = RECORD.matcher(line);
                assertTrue(m.matches(), "unexpected record " + line);
                String head = m.group(5);
                if (!head.startsWith("0110")) {
                    continue; // handshake messages: not sealed messages
                }
                String kind = kindByHash.get(m.group(6));
                assertTrue(kind != null, "a sealed frame the clients did not log: " + line);
                String cls = kind.equals("DUMMY") ? "dummy" : "real";
                counts.merge(cls, 1, Integer::sum);
                lengths.computeIfAbsent(cls, k -> new TreeSet<>()).add(m.group(4));
                flags.computeIfAbsent(cls, k -> new TreeSet<>()).add(m.group(3));
                // version | type | epoch(4) | seq(8): the version and type bytes are the fixed part.
                fixedHeader.computeIfAbsent(cls, k -> new TreeSet<>()).add(head.substring(0, 4));
            }
            System.out.printf("recording relay saw %d real and %d dummy sealed frames; lengths real %s, dummy %s%n",
                    counts.getOrDefault("real", 0), counts.getOrDefault("dummy", 0), lengths.get("real"), lengths.get("dummy"));
            assertTrue(counts.getOrDefault("dummy", 0) >= 10, "dummies were sent: " + counts);
            assertTrue(counts.getOrDefault("real", 0) >= 2 * count, "real messages went through: " + counts);
            assertEquals(lengths.get("real"), lengths.get("dummy"), "dummy and real sealed frames have the same sizes");
            assertEquals(flags.get("real"), flags.get("dummy"), "same WebSocket frame type");
            assertEquals(fixedHeader.get("real"), fixedHeader.get("dummy"), "same version and type bytes");
        }
    }
}

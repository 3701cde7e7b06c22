package io.securerelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank and customer as real processes (the shaded client jar, batch mode) through the relay
 * the launcher started: verified messages both ways, persisted keys, and refusal of swapped keys.
 */
class ClientsE2EIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Pattern IDENTITY = Pattern.compile("^identity (.+)$", Pattern.MULTILINE);
    private static LauncherRelay relay;

    @TempDir
    Path dir;

    @BeforeAll
    static void relay() throws Exception {
        relay = LauncherRelay.shared();
    }

    /** One conversation: both clients send {@code count} messages; returns {bank, customer} transcripts. */
    private String[] converse(Path keyDir, int count, int expectedExit, String... extra) throws Exception {
        Path scripts = dir.resolve("scripts");
        Path bankScript = ClientProcess.script(scripts, "from bank", count);
        Path customerScript = ClientProcess.script(scripts, "from customer", count);
        try (ClientProcess bank = ClientProcess.start("bank", keyDir, relay.uri(), bankScript, count, null, extra)) {
            String bankId = bank.sessionId(WAIT);
            try (ClientProcess customer = ClientProcess.start("customer", keyDir, relay.uri(), customerScript, count,
                    bankId, extra)) {
                assertEquals(expectedExit, customer.exitCode(WAIT), "customer exit code; output:\n" + customer.transcript());
                assertEquals(expectedExit, bank.exitCode(WAIT), "bank exit code; output:\n" + bank.transcript());
                return new String[] {bank.transcript(), customer.transcript()};
            }
        }
    }

    private static String identity(String transcript) {
        Matcher m = IDENTITY.matcher(transcript);
        assertTrue(m.find(), transcript);
        return m.group(1);
    }

    @Test
    void messagesBothWaysArriveVerifiedInOrderAndASecondRunReusesTheKeys() throws Exception {
        Path keys = dir.resolve("keys");
        String[] first = converse(keys, 20, 0, "--dummy-interval", "20ms..60ms");
        assertEquals(ClientProcess.expected("from customer", 20), ClientProcess.received(first[0]));
        assertEquals(ClientProcess.expected("from bank", 20), ClientProcess.received(first[1]));
        assertTrue(first[0].contains("peer-trusted-first-use "), "first contact is announced:\n" + first[0]);
        assertTrue(first[1].contains("\nsafety-number "), first[1]);
        String bankSafety = line(first[0], "safety-number ");
        assertEquals(bankSafety, line(first[1], "safety-number "), "both sides show the same safety number");
        assertTrue(Files.exists(keys.resolve("bank_identity_keys.json")));
        assertTrue(Files.exists(keys.resolve("customer_public_identity_key.json")));

        // Second run: same keys, a new conversation.
        deleteTree(keys.resolve("bank_conversation"));
        deleteTree(keys.resolve("customer_conversation"));
        String[] second = converse(keys, 5, 0);
        assertEquals(identity(first[0]), identity(second[0]), "the bank reuses its persisted identity key");
        assertEquals(identity(first[1]), identity(second[1]), "the customer reuses its persisted identity key");
        assertFalse(second[0].contains("peer-trusted-first-use"), "the peer's key is already known:\n" + second[0]);
        assertEquals(bankSafety, line(second[0], "safety-number "));
        assertEquals(ClientProcess.expected("from customer", 5), ClientProcess.received(second[0]));
    }

    @Test
    void swappedPeerKeyFilesMakeBothRefuseWithTheFingerprints() throws Exception {
        Path keys = dir.resolve("keys");
        converse(keys, 1, 0);
        Path bankView = keys.resolve("customer_public_identity_key.json");
        Path customerView = keys.resolve("bank_public_identity_key.json");
        String bankViewJson = Files.readString(bankView);
        String customerViewJson = Files.readString(customerView);
        String customerFp = fingerprintIn(bankViewJson);
        String bankFp = fingerprintIn(customerViewJson);
        // Each side now holds the other's file: each stored "peer" key is really its own.
        Files.writeString(bankView, customerViewJson.replace("\"bank\"", "\"customer\""));
        Files.writeString(customerView, bankViewJson.replace("\"customer\"", "\"bank\""));
        deleteTree(keys.resolve("bank_conversation"));
        deleteTree(keys.resolve("customer_conversation"));

        String[] out = converse(keys, 1, 5);
        for (String t : out) {
            String error = line(t, "error peer-key-changed ");
            assertTrue(error.contains(bankFp) && error.contains(customerFp), "both fingerprints shown: " + error);
            assertTrue(ClientProcess.received(t).isEmpty(), "nothing delivered:\n" + t);
        }
    }

    private static String fingerprintIn(String json) {
        Matcher m = Pattern.compile("\"fingerprint\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static String line(String transcript, String prefix) {
        for (String l : transcript.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' in:\n" + transcript);
    }

    private static void deleteTree(Path p) throws Exception {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}

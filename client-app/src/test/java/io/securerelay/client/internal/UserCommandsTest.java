package io.securerelay.client.internal;

import io.securerelay.client.ExitCodes;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.keystore.StorageSecret;
import io.securerelay.protocol.SessionPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interactive console over two conversations on an in-memory relay and a manual loop. */
class UserCommandsTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final ManualEventLoop loop = new ManualEventLoop();
    private final MemoryRelay relay = new MemoryRelay();

    /** One interactive client. */
    final class Client {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Conversation conversation;
        final UserCommands commands;
        final MemoryRelay.MemoryLink link;
        private int seen;

        Client(String role, String peerRole) throws Exception {
            IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
            UserIo io = new UserIo(new PrintStream(out, true, StandardCharsets.UTF_8), false, peerRole);
            conversation = new Conversation(peerRole, null, identity, new InMemoryPeerTrustStore(peerRole),
                    FileOutbox.open(dir, role, StorageSecret.random(RANDOM).deriveKey("outbox/" + role), RANDOM), io, loop, RANDOM,
                    loop.clock(), SessionPolicy.DEFAULT, new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO), null);
            commands = new UserCommands(conversation, io);
            link = relay.link(RANDOM, conversation);
            conversation.start(link);
        }

        /** Types {@code line} and returns what was printed in answer. */
        List<String> type(String line) {
            commands.userLine(line);
            loop.runReady();
            return printed();
        }

        /** The lines printed since the last call. */
        List<String> printed() {
            List<String> all = out.toString(StandardCharsets.UTF_8).lines().toList();
            List<String> fresh = all.subList(seen, all.size());
            seen = all.size();
            return fresh;
        }
    }

    @Test
    void anInteractiveClientCallsByIdAnswersCommandsSendsAndQuits() throws Exception {
        Client bank = new Client("bank", "customer");
        Client customer = new Client("customer", "bank");
        loop.runReady();
        customer.printed();
        assertEquals(List.of("No bank yet: type their session ID first (" + errorOf("hello") + ")."), customer.type("hello"));
        assertEquals(List.of("No secure session yet."), customer.type("/safety"));
        assertEquals(List.of("Nothing to re-trust: no changed key was refused."), customer.type("/retrust"));
        assertEquals(List.of("Status: connected, waiting for the bank; 0 message(s) waiting for acknowledgement; 0 received;"
                + " refused: " + customer.conversation.rejections().summary() + "."), customer.type("/status"));
        List<String> call = customer.type(bank.link.id.toHex()); // the in-memory relay answers at once
        assertEquals("Calling the bank at " + bank.link.id.toHex() + " ...", call.get(0));
        assertTrue(call.get(1).startsWith("First contact: trusting the bank's identity key"), call.toString());
        assertTrue(call.get(2).startsWith("Secure session with the bank"), call.toString());
        String safety = customer.conversation.safetyNumber().orElseThrow();
        assertEquals(List.of("Safety number with the bank: " + safety + " (the same on both screens means no one is in between)"),
                customer.type("/safety"));
        assertEquals(List.of("!! message not sent: longer than 16384 bytes"), customer.type("x".repeat(16 * 1024 + 1)));
        assertEquals(List.of(), customer.type(""), "an empty line sends nothing");
        assertEquals(List.of("Unknown command /nope (/help lists them)."), customer.type("/nope"));
        assertEquals(List.of("Type a message and press Enter to send it. Commands: /status, /safety, /retrust, /quit."),
                customer.type("/help"));
        bank.printed();
        customer.type("Guten Tag");
        loop.advance(Duration.ofSeconds(1));
        assertTrue(bank.printed().stream().anyMatch(l -> l.endsWith(" customer \u2714 Guten Tag")), bank.out.toString());
        assertTrue(customer.type("/status").get(0).startsWith(
                "Status: connected, secure session with the bank; 0 message(s) waiting for acknowledgement; 0 received;"));
        customer.type("/quit");
        assertEquals(ExitCodes.OK, customer.conversation.finished().getNow(-1));
        bank.commands.inputEnded(); // Ctrl-D ends an interactive client
        loop.runReady();
        assertEquals(ExitCodes.OK, bank.conversation.finished().getNow(-1));
    }

    private static String errorOf(String notAnId) {
        try {
            io.securerelay.protocol.relay.SessionId.parse(notAnId);
            throw new AssertionError(notAnId + " parsed");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}

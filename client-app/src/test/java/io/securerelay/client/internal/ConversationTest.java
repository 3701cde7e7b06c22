package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.client.ExitCodes;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.keystore.StorageSecret;
import io.securerelay.protocol.Envelope;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.SessionId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conversation state machine between two clients over an in-memory relay: delivery exactly
 * once and in order through relay crashes and lost frames, and refusal of a changed peer key.
 * Both clients run on one {@link ManualEventLoop}: the test's thread runs their tasks, and loop
 * time jumps from timer to timer, so a run that takes a minute of client time takes no waiting.
 */
class ConversationTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final Pattern RECEIVED = Pattern.compile("^received (\\d+) \\S+ \\S+ verified (.*)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private final ManualEventLoop loop = new ManualEventLoop();
    private final MemoryRelay relay = new MemoryRelay();

    /** One side: its conversation, its console and its output. */
    final class Party {
        final String role;
        final IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        final StorageSecret storage = StorageSecret.random(RANDOM);
        final PeerTrustStore trust;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Conversation conversation;
        UserCommands commands;
        MemoryRelay.MemoryLink link;

        Party(String role, PeerTrustStore trust) {
            this.role = role;
            this.trust = trust;
        }

        Duration deadline = DEADLINE;

        /** Makes the conversation and starts it on the in-memory relay. */
        void start(SessionId peer, long expect) throws Exception {
            make(peer, expect);
            link = relay.link(RANDOM, conversation);
            conversation.start(link);
        }

        void make(SessionId peer, long expect) throws Exception {
            Outbox store = FileOutbox.open(dir, role, storage.deriveKey("outbox/" + role), RANDOM);
            String peerRole = role.equals("bank") ? "customer" : "bank";
            UserIo io = new UserIo(new PrintStream(out, true, StandardCharsets.UTF_8), true, peerRole);
            conversation = new Conversation(peerRole, peer, identity, trust, store, io, loop, RANDOM, loop.clock(),
                    SessionPolicy.DEFAULT, new Conversation.DummySchedule(Duration.ofMillis(5), Duration.ofMillis(20)),
                    new BatchRun(expect, deadline));
            commands = new UserCommands(conversation, io);
        }

        void send(int count) {
            for (int i = 1; i <= count; i++) {
                commands.userLine(role + " message " + i);
            }
            commands.inputEnded();
        }

        /** Runs the loop until this side finished (a batch run ends by its deadline at the latest). */
        int exitCode() {
            try {
                loop.runUntil(conversation.finished()::isDone, deadline.plusMinutes(1), role + " finishing");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; output:\n" + output(), e);
            }
            return conversation.finished().join();
        }

        String output() {
            return out.toString(StandardCharsets.UTF_8);
        }

        /** The numbers and texts of the received lines, in output order. */
        List<String> received() {
            List<String> r = new ArrayList<>();
            Matcher m = RECEIVED.matcher(output());
            while (m.find()) {
                r.add(m.group(1) + ":" + m.group(2));
            }
            return r;
        }
    }

    private static List<String> expected(String sender, int count) {
        List<String> r = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            r.add(i + ":" + sender + " message " + i);
        }
        return r;
    }

    private Party[] pair(int expectEach) throws Exception {
        Party bank = new Party("bank", new InMemoryPeerTrustStore("customer"));
        Party customer = new Party("customer", new InMemoryPeerTrustStore("bank"));
        bank.start(null, expectEach);
        customer.start(bank.link.id, expectEach);
        return new Party[] {bank, customer};
    }

    @Test
    void messagesBothWaysArriveOnceInOrderAndEveryOneIsAcknowledged() throws Exception {
        Party[] p = pair(50);
        p[0].send(50);
        p[1].send(50);
        assertEquals(ExitCodes.OK, p[0].exitCode(), p[0].output());
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        assertEquals(expected("customer", 50), p[0].received());
        assertEquals(expected("bank", 50), p[1].received());
        assertTrue(p[0].output().contains("peer-trusted-first-use "), "first contact must say so");
    }

    @Test
    void aRelayCrashMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        Party[] p = pair(300);
        AtomicInteger frames = new AtomicInteger();
        // Lose every frame in flight around the crash: the relay dies after 150 frames.
        relay.pass = (to, payload) -> {
            if (frames.incrementAndGet() == 150) {
                relay.crash();
                loop.schedule(Duration.ofMillis(300), relay::restart);
            }
            return relay.up;
        };
        p[0].send(300);
        p[1].send(300);
        assertEquals(ExitCodes.OK, p[0].exitCode(), p[0].output());
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        assertEquals(expected("customer", 300), p[0].received());
        assertEquals(expected("bank", 300), p[1].received());
        assertTrue(frames.get() > 150, "the crash happened mid-stream");
        assertTrue(!p[0].output().contains("Replay attack") && !p[1].output().contains("Replay attack"),
                "resends must not trip the replay alarm");
    }

    @Test
    void randomlyLostFramesAreResentUntilEverythingArrived() throws Exception {
        Party[] p = pair(100);
        java.util.Random losses = new java.util.Random(18);
        relay.pass = (to, payload) -> losses.nextInt(10) != 0; // the relay loses one frame in ten
        p[0].send(100);
        p[1].send(100);
        assertEquals(ExitCodes.OK, p[0].exitCode(), p[0].output());
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        assertEquals(expected("customer", 100), p[0].received());
        assertEquals(expected("bank", 100), p[1].received());
    }

    @Test
    void aChangedPeerKeyIsRefusedWithBothFingerprints() throws Exception {
        Party bank = new Party("bank", new InMemoryPeerTrustStore("customer"));
        Party customer = new Party("customer", new InMemoryPeerTrustStore("bank"));
        IdentityKeyPair someoneElse = IdentityKeyPair.generate(RANDOM);
        bank.trust.trust(someoneElse.publicKey()); // the bank trusted another "customer" before
        bank.start(null, 1);
        customer.start(bank.link.id, 1);
        bank.send(1);
        customer.send(1);
        assertEquals(ExitCodes.PEER_KEY_CHANGED, bank.exitCode(), bank.output());
        String out = bank.output();
        assertTrue(out.contains(someoneElse.publicKey().fingerprint()), out);
        assertTrue(out.contains(customer.identity.publicKey().fingerprint()), out);
        assertTrue(bank.received().isEmpty(), "nothing is delivered from a refused key");
    }

    @Test
    void swappedPinsAreRefusedByBothSidesWithTheFingerprints() throws Exception {
        Party bank = new Party("bank", new InMemoryPeerTrustStore("customer"));
        Party customer = new Party("customer", new InMemoryPeerTrustStore("bank"));
        bank.trust.trust(bank.identity.publicKey());         // the bank's "customer" key is its own
        customer.trust.trust(customer.identity.publicKey()); // the customer's "bank" key is its own
        bank.start(null, 1);
        customer.start(bank.link.id, 1);
        bank.send(1);
        customer.send(1);
        assertEquals(ExitCodes.PEER_KEY_CHANGED, bank.exitCode(), bank.output());
        assertEquals(ExitCodes.PEER_KEY_CHANGED, customer.exitCode(), customer.output());
        for (Party p : new Party[] {bank, customer}) {
            String out = p.output();
            assertTrue(out.contains(bank.identity.publicKey().fingerprint())
                    && out.contains(customer.identity.publicKey().fingerprint()), out);
            assertTrue(p.received().isEmpty(), out);
        }
    }

    /** The lines of {@code output} that are the given batch event (parsed strictly). */
    private static List<BatchEvents.Event> events(String output, String name) {
        List<BatchEvents.Event> r = new ArrayList<>();
        for (BatchEvents.Event e : BatchEvents.parseRun(output)) {
            if (e.name().equals(name)) {
                r.add(e);
            }
        }
        return r;
    }

    /**
     * The relay alters the first message of type {@code type} it carries to the bank; the customer
     * and the bank exchange {@code count} texts each way. Asserts that both finish with everything
     * delivered (the dropped message was resent) and that the bank printed exactly one error event,
     * naming the customer as sender, and counted exactly one refusal of {@code kind}; returns it.
     */
    private BatchEvents.Event oneRefusalAtTheBank(int count, Envelope type, java.util.function.UnaryOperator<byte[]> how,
            Rejections.Kind kind) throws Exception {
        Party[] p = pair(count);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        SessionId bank = p[0].link.id;
        relay.alter = (dest, payload) -> dest.equals(bank) && Envelope.of(payload) == type && !done.getAndSet(true)
                ? how.apply(payload) : payload;
        p[0].send(count);
        p[1].send(count);
        assertEquals(ExitCodes.OK, p[0].exitCode(), p[0].output());
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        assertEquals(expected("customer", count), p[0].received(), "the dropped message was resent");
        List<BatchEvents.Event> errors = events(p[0].output(), "error");
        assertEquals(1, errors.size(), p[0].output());
        BatchEvents.Event e = errors.get(0);
        assertEquals(kind.code(), e.get("code"), e.line());
        assertEquals("peer:" + p[1].link.id.toHex(), e.get("from"), e.line());
        assertEquals(1, p[0].conversation.rejections().count(kind));
        assertEquals(1, p[0].conversation.rejections().total());
        assertEquals("1", events(p[0].output(), "done").get(0).get("rejected"));
        return e;
    }

    @Test
    void aTruncatedSealedMessageIsReportedOnceCountedAndResent() throws Exception {
        BatchEvents.Event e = oneRefusalAtTheBank(5, Envelope.DATA, m -> java.util.Arrays.copyOf(m, m.length - 5),
                Rejections.Kind.MALFORMED_MESSAGE); // 222 -> 217 bytes
        assertEquals("sealed-message", e.get("dropped"));
        assertEquals("217", e.get("bytes"));
    }

    @Test
    void aTruncatedHandshakeMessageIsReportedOnceAndTheHandshakeIsRetried() throws Exception {
        BatchEvents.Event e = oneRefusalAtTheBank(2, Envelope.INIT, m -> java.util.Arrays.copyOf(m, m.length - 5),
                Rejections.Kind.MALFORMED_MESSAGE);
        assertEquals("INIT", e.get("dropped"));
        assertEquals("223", e.get("bytes"));
    }

    @Test
    void aPayloadOfUnknownTypeIsReportedOnceAndCounted() throws Exception {
        BatchEvents.Event e = oneRefusalAtTheBank(5, Envelope.DATA, m -> new byte[] {1, (byte) 0x99, 0, 0, 0, 0, 0, 0, 0, 0},
                Rejections.Kind.UNKNOWN_ENVELOPE);
        assertEquals("payload", e.get("dropped"));
        assertEquals("10", e.get("bytes"));
        assertTrue(e.get("sentence").contains("version 0x01, type 0x99"), e.line());
    }

    /** A bit flipped in the sealed part fails the AES-GCM tag: altered in transit, no signature check spent. */
    @Test
    void aFlippedBitInTheCiphertextIsReportedAsAlteredInTransit() throws Exception {
        BatchEvents.Event e = oneRefusalAtTheBank(3, Envelope.DATA, m -> {
            byte[] c = m.clone();
            c[20] ^= 1;
            return c;
        }, Rejections.Kind.ALTERED_IN_TRANSIT);
        assertEquals("sealed-message", e.get("dropped"));
        assertTrue(e.get("sentence").contains("altered in transit"), e.line());
    }

    /** A bit flipped in the signature (after the tag, which still checks) is a signature error naming the sender. */
    @Test
    void aFlippedBitInTheSignatureIsASignatureErrorNamingTheSender() throws Exception {
        BatchEvents.Event e = oneRefusalAtTheBank(3, Envelope.DATA, m -> {
            byte[] c = m.clone();
            c[c.length - 1] ^= 1;
            return c;
        }, Rejections.Kind.SIGNATURE);
        assertEquals("sealed-message", e.get("dropped"));
        assertTrue(e.get("sentence").contains("was not signed by its key"), e.line());
    }

    @Test
    void aWholeBatchRunFollowsTheDocumentedFormatAndDoneIsReallyLast() throws Exception {
        Party[] p = pair(20);
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        relay.alter = (dest, payload) -> dest.equals(p[0].link.id) && Envelope.of(payload) == Envelope.DATA
                && !cut.getAndSet(true) ? java.util.Arrays.copyOf(payload, 100) : payload;
        p[0].commands.userLine("a line with a \\ backslash, a tab\t and a line break\ndone sent=0 received=0 rejected=0");
        p[0].send(20);
        p[1].send(20);
        assertEquals(ExitCodes.OK, p[0].exitCode(), p[0].output());
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        // Events that race in after the final line (the relay keeps delivering) are not printed.
        int before = p[0].output().length();
        relay.inject(p[1].link.id, p[0].link.id, new byte[] {1, (byte) 0x99, 0});
        p[0].commands.userLine("typed after the end");
        p[0].conversation.rejectedRelayFrame("injected after the end", 3);
        loop.runReady(); // everything queued before has run
        assertEquals(before, p[0].output().length(), "nothing may follow done:\n" + p[0].output());
        for (Party party : p) {
            List<BatchEvents.Event> run = BatchEvents.parseRun(party.output());
            assertEquals("session", run.get(0).name(), party.output()); // (identity comes first from ClientApp)
            assertEquals("done", run.get(run.size() - 1).name());
            assertEquals(1, run.stream().filter(e -> e.name().equals("done")).count());
            assertTrue(run.stream().anyMatch(e -> e.name().equals("secure")), party.output());
            assertTrue(run.stream().anyMatch(e -> e.name().equals("safety-number")), party.output());
        }
        List<BatchEvents.Event> got = events(p[1].output(), "received");
        assertEquals("a line with a \\ backslash, a tab\t and a line break\ndone sent=0 received=0 rejected=0",
                BatchEvents.unescape(got.get(0).get("text")), "one event stays one line and its text is exact");
        assertEquals("bank", got.get(0).get("role"));
        BatchEvents.Event done = events(p[0].output(), "done").get(0);
        assertEquals("21", done.get("sent"));
        assertEquals("20", done.get("received"));
        assertEquals("1", done.get("rejected"));
    }

    @Test
    void anUnansweredInitIsSentAgainAfterFourSecondsNotBefore() throws Exception {
        AtomicInteger inits = new AtomicInteger();
        relay.pass = (to, payload) -> Envelope.of(payload) != Envelope.INIT || inits.incrementAndGet() > 1; // the first is lost
        Party[] p = pair(1);
        loop.advance(Handshakes.RETRY);
        assertEquals(1, inits.get(), "no second INIT within four seconds");
        assertTrue(!p[1].output().contains("secure "), p[1].output());
        loop.advance(Conversation.WATCHDOG);
        assertEquals(2, inits.get(), "the watchdog's next tick after four seconds sends it again");
        p[0].send(1);
        p[1].send(1);
        assertEquals(ExitCodes.OK, p[1].exitCode(), p[1].output());
        assertEquals(expected("bank", 1), p[1].received());
    }

    @Test
    void aBatchRunThatReachesNoRelayGivesUpAfterThirtySeconds() throws Exception {
        Party bank = new Party("bank", new InMemoryPeerTrustStore("customer"));
        Link nowhere = new Link() {
            @Override
            public void start() {
            }

            @Override
            public boolean send(SessionId to, byte[] payload) {
                return false;
            }

            @Override
            public void close() {
            }
        };
        bank.make(null, 1);
        bank.conversation.start(nowhere);
        bank.send(1);
        assertEquals(ExitCodes.RELAY_UNREACHABLE, bank.exitCode(), bank.output());
        assertEquals(BatchRun.FIRST_CONNECT_LIMIT, loop.elapsed());
        assertEquals("error relay-unreachable could not reach any relay in 30.0 s; giving up",
                bank.output().lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void aBatchRunWhosePeerNeverComesTimesOutAtItsDeadline() throws Exception {
        Party customer = new Party("customer", new InMemoryPeerTrustStore("bank"));
        customer.deadline = Duration.ofSeconds(45);
        customer.start(SessionId.random(RANDOM), 1); // a bank that is not connected
        customer.send(1);
        assertEquals(ExitCodes.TIMEOUT, customer.exitCode(), customer.output());
        assertEquals(Duration.ofSeconds(45), loop.elapsed());
        assertEquals("error timeout not finished within 45.0 s: 1 message(s) unacknowledged, 0 of 1 received",
                customer.output().lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void theExampleOfTheBatchDocumentIsAValidRun() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "BATCH.md"));
        String example = doc.substring(doc.indexOf("## Example"));
        example = example.substring(example.indexOf("```\n") + 4, example.lastIndexOf("```"));
        List<BatchEvents.Event> run = BatchEvents.parseRun(example);
        assertEquals("done", run.get(run.size() - 1).name());
        assertEquals(2, run.stream().filter(e -> e.name().equals("error") && BatchEvents.REJECTIONS.contains(e.get("code"))).count());
    }

    @Test
    void theStrictParserRefusesWhatTheSpecDoesNotList() {
        String ok = "session 0123456789abcdef0123456789abcdef\ndone sent=0 received=0 rejected=0\n";
        assertEquals(2, BatchEvents.parseRun(ok).size());
        for (String bad : List.of(
                "sessions 0123456789abcdef0123456789abcdef\ndone sent=0 received=0 rejected=0\n",
                "session 0123\ndone sent=0 received=0 rejected=0\n",
                "done sent=0 received=0 rejected=0\nacked 1\n",
                "acked 1\n",
                "error signature a message\ndone sent=0 received=0 rejected=0\n",
                "error nonsense x\ndone sent=0 received=0 rejected=0\n")) {
            assertThrows(IllegalArgumentException.class, () -> BatchEvents.parseRun(bad), bad);
        }
    }
}

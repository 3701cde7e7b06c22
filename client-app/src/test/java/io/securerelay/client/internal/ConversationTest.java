package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.client.ExitCodes;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.SessionId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conversation state machine between two clients over an in-memory relay: delivery exactly
 * once and in order through relay crashes and lost frames, and refusal of a changed peer key.
 */
class ConversationTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern RECEIVED = Pattern.compile("^received (\\d+) \\S+ \\S+ verified (.*)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private final List<ScheduledExecutorService> actors = new ArrayList<>();
    private final MemoryRelay relay = new MemoryRelay();

    /** One side: its conversation, its output, and its actor thread. */
    final class Party {
        final String role;
        final IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        final PeerTrustStore trust;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Conversation conversation;
        MemoryRelay.MemoryLink link;

        Party(String role, PeerTrustStore trust) {
            this.role = role;
            this.trust = trust;
        }

        void start(SessionId peer, long expect) throws Exception {
            ScheduledExecutorService actor = Executors.newSingleThreadScheduledExecutor();
            actors.add(actor);
            ConversationStore store = ConversationStore.open(dir, role, identity.deriveLocalKey("outbox/" + role), RANDOM);
            String peerRole = role.equals("bank") ? "customer" : "bank";
            conversation = new Conversation(peerRole, peer, identity, trust, store,
                    new UserIo(new PrintStream(out, true, StandardCharsets.UTF_8), true, peerRole), actor, RANDOM,
                    Clock.systemUTC(), SessionPolicy.DEFAULT, new Conversation.DummySchedule(Duration.ofMillis(5),
                    Duration.ofMillis(20)), expect);
            link = relay.link(RANDOM, conversation);
            conversation.start(link, Duration.ofMinutes(2));
        }

        void send(int count) {
            for (int i = 1; i <= count; i++) {
                conversation.userLine(role + " message " + i);
            }
            conversation.inputEnded();
        }

        int exitCode() throws Exception {
            try {
                return conversation.finished().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(role + " did not finish in 60 s; output:\n" + output(), e);
            }
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

    @AfterEach
    void stopActors() {
        actors.forEach(ScheduledExecutorService::shutdownNow);
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
                Executors.newSingleThreadScheduledExecutor().schedule(relay::restart, 300, TimeUnit.MILLISECONDS);
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
        relay.pass = (to, payload) -> RANDOM.nextInt(10) != 0; // the relay loses one frame in ten
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
}

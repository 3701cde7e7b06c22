package io.securerelay.desk.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.client.internal.Conversation;
import io.securerelay.client.internal.ConversationEvents;
import io.securerelay.client.internal.ExecutorEventLoop;
import io.securerelay.client.internal.FileOutbox;
import io.securerelay.client.internal.Link;
import io.securerelay.client.internal.MemoryRelay;
import io.securerelay.client.internal.Rejections;
import io.securerelay.desk.CustomerView;
import io.securerelay.desk.MessageView;
import io.securerelay.desk.store.DeskDatabaseConfig;
import io.securerelay.desk.store.DeskStore;
import io.securerelay.desk.store.JdbcDeskStore;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.keystore.StorageSecret;
import io.securerelay.protocol.Envelope;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.SessionId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desk's engine with a relay that plays the attacker (in memory; the real relay is in
 * e2e-tests' DeskE2EIT): frames forged as another customer's, another conversation's messages
 * replayed, handshake floods. None of them reaches another conversation, and the customers who
 * behave go on. The database is a real H2 file.
 */
class DeskEngineTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MemoryRelay relay = new MemoryRelay();
    private final SessionId deskId = SessionId.random(RANDOM);
    private final List<Customer> customers = new ArrayList<>();
    private DeskStore store;
    private DeskEngine desk;

    /** A customer built from the client's own classes, on the in-memory relay. */
    final class Customer extends ConversationEvents.Ignoring {
        final SessionId id;
        final IdentityKeyPair identity;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch secure = new CountDownLatch(1);
        final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        final Conversation conversation;

        Customer(String name) throws Exception {
            this(name, SessionId.random(RANDOM));
        }

        Customer(String name, SessionId id) throws Exception {
            this(name, id, IdentityKeyPair.generate(RANDOM));
        }

        Customer(String name, SessionId id, IdentityKeyPair identity) throws Exception {
            this.id = id;
            this.identity = identity;
            conversation = new Conversation("bank", deskId, identity, new InMemoryPeerTrustStore("bank"),
                    FileOutbox.open(dir.resolve(name), "customer", StorageSecret.random(RANDOM).deriveKey("outbox/customer"), RANDOM),
                    this, new ExecutorEventLoop(thread), RANDOM, Clock.systemUTC(), SessionPolicy.DEFAULT,
                    new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO), null);
            Link link = relay.link(id, conversation);
            conversation.start(link);
            customers.add(this);
        }

        void awaitSecure() throws InterruptedException {
            assertTrue(secure.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the customer's session came up");
        }

        String next() throws InterruptedException {
            String m = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(m, "a message from the desk within " + WAIT);
            return m;
        }

        @Override public void secure(SessionId peer, String fp, String safety, boolean first) { secure.countDown(); }
        @Override public void received(long number, long sentAt, String text) { received.add(number + ":" + text); }
    }

    @BeforeEach
    void startDesk() {
        store = JdbcDeskStore.open(DeskDatabaseConfig.h2(dir.resolve("desk")));
        desk = new DeskEngine(IdentityKeyPair.generate(RANDOM), deskId, store,
                (listener, timer) -> relay.link(deskId, listener), RANDOM, Clock.systemUTC(),
                new DeskEngine.Settings(2, 8, 500, 1_000, 2, SessionPolicy.DEFAULT));
        desk.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        desk.close();
        store.close();
        for (Customer c : customers) {
            c.conversation.quit();
            c.thread.shutdown();
            c.thread.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private long customerOf(Customer c) throws Exception {
        long[] id = new long[1];
        until("the desk knows customer " + c.id.shortForm(), () -> {
            for (CustomerView v : desk.customers()) {
                if (c.id.toHex().equals(v.sessionId())) {
                    id[0] = v.id();
                    return true;
                }
            }
            return false;
        });
        return id[0];
    }

    private List<String> in(long customerId) {
        return desk.messages(customerId, 0, 1000).stream().filter(m -> m.direction().equals("IN"))
                .map(m -> m.number() + ":" + m.text()).toList();
    }

    private static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(20); // polling a condition with a deadline, not timing anything
        }
    }

    @Test
    void twoCustomersEachGetTheirOwnConversationBothWays() throws Exception {
        Customer a = new Customer("a");
        Customer b = new Customer("b");
        a.awaitSecure();
        b.awaitSecure();
        long ia = customerOf(a);
        long ib = customerOf(b);
        a.conversation.sendText("hello from a").get(10, TimeUnit.SECONDS);
        b.conversation.sendText("hello from b").get(10, TimeUnit.SECONDS);
        desk.send(ia, "to a");
        desk.send(ib, "to b");
        assertEquals("1:to a", a.next());
        assertEquals("1:to b", b.next());
        until("both stored", () -> in(ia).size() == 1 && in(ib).size() == 1);
        assertEquals(List.of("1:hello from a"), in(ia));
        assertEquals(List.of("1:hello from b"), in(ib));
        until("the answers acknowledged", () -> desk.messages(ia, 0, 10).stream()
                .anyMatch(m -> m.direction().equals("OUT") && m.state().equals("DELIVERED")));
    }

    @Test
    void aMessageReplayedOrForgedAsAnotherCustomersNeverReachesAnyConversation() throws Exception {
        Customer a = new Customer("a");
        Customer b = new Customer("b");
        a.awaitSecure();
        b.awaitSecure();
        long ia = customerOf(a);
        long ib = customerOf(b);
        b.conversation.sendText("b's instruction").get(10, TimeUnit.SECONDS);
        until("b's message stored", () -> in(ib).size() == 1);
        byte[] bSealed = relay.carried.stream()
                .filter(c -> c.from().equals(b.id) && c.to().equals(deskId) && Envelope.of(c.payload()) == Envelope.DATA)
                .reduce((x, y) -> y).orElseThrow().payload();
        long altered = desk.rejections().count(Rejections.Kind.ALTERED_IN_TRANSIT);
        long replays = desk.rejections().count(Rejections.Kind.REPLAY);

        relay.inject(a.id, deskId, bSealed); // b's message, claimed to be from a
        relay.inject(b.id, deskId, bSealed); // b's message again, in b's own conversation
        until("both refused", () -> desk.rejections().count(Rejections.Kind.ALTERED_IN_TRANSIT) > altered
                && desk.rejections().count(Rejections.Kind.REPLAY) > replays);

        a.conversation.sendText("a goes on").get(10, TimeUnit.SECONDS);
        b.conversation.sendText("b goes on").get(10, TimeUnit.SECONDS);
        until("both go on", () -> in(ia).size() == 1 && in(ib).size() == 2);
        assertEquals(List.of("1:a goes on"), in(ia), "nothing of b's reached a's conversation");
        assertEquals(List.of("1:b's instruction", "2:b goes on"), in(ib), "b's message is stored once");
    }

    @Test
    void aHandshakeFloodFromManySessionsIsCappedAndTheCustomersGoOn() throws Exception {
        Customer a = new Customer("a");
        a.awaitSecure();
        long ia = customerOf(a);
        byte[] init = relay.carried.stream().filter(c -> Envelope.of(c.payload()) == Envelope.INIT)
                .findFirst().orElseThrow().payload();
        long before = desk.droppedAtTheDoor();
        for (int i = 0; i < 500; i++) {
            relay.inject(SessionId.random(RANDOM), deskId, init); // a's INIT, replayed from 500 sessions
        }
        for (int i = 0; i < 100; i++) {
            relay.inject(a.id, deskId, init); // and a flood of INITs in a's name
        }
        assertTrue(desk.droppedAtTheDoor() - before >= 500 - 8, "beyond 8 callers not yet identified and 4 INITs"
                + " a session may burst, dropped at the door: " + (desk.droppedAtTheDoor() - before));
        assertTrue(desk.openConversations() <= 1 + 8, "at most 8 strangers at once: " + desk.openConversations());
        desk.send(ia, "still here");
        assertEquals("1:still here", a.next(), "the customer's conversation goes on");
        a.conversation.sendText("me too").get(10, TimeUnit.SECONDS);
        until("a's message stored", () -> in(ia).equals(List.of("1:me too")));
        assertEquals(1, desk.customers().size(), "no replayed INIT became a customer");
    }

    @Test
    void aChangedKeyFromAKnownSessionIsBlockedWithBothFingerprintsUntilReTrusted() throws Exception {
        Customer a = new Customer("a");
        a.awaitSecure();
        long ia = customerOf(a);
        String pinned = desk.customer(ia).fingerprint();
        a.conversation.quit();
        Customer again = new Customer("a2", a.id); // same session ID, another identity key
        until("KEY_CHANGED", () -> desk.customer(ia).status().equals("KEY_CHANGED"));
        CustomerView v = desk.customer(ia);
        assertEquals(pinned, v.fingerprint(), "the pinned key stays");
        assertEquals(again.identity.publicKey().fingerprint(), v.presentedFingerprint());
        assertEquals(1, again.secure.getCount(), "no session with the changed key");
        MessageView queued = null;
        try {
            queued = desk.send(ia, "blocked");
        } catch (io.securerelay.desk.DeskException e) {
            assertEquals(io.securerelay.desk.DeskException.Kind.CONFLICT, e.kind());
        }
        assertEquals(null, queued);
        desk.retrust(ia, v.presentedFingerprint());
        again.awaitSecure();
        assertEquals("TRUSTED", desk.customer(ia).status());
        assertEquals(again.identity.publicKey().fingerprint(), desk.customer(ia).fingerprint());
    }

    @Test
    void aCustomerRegisteredFromItsKeyFileIsRecognisedOnItsFirstCallAndAnUnknownKeyBecomesANewCustomer() throws Exception {
        IdentityKeyPair registeredKey = IdentityKeyPair.generate(RANDOM);
        String file = "{\"role\":\"customer\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\n"
                + java.util.Base64.getEncoder().encodeToString(registeredKey.publicKey().spki())
                + "\\n-----END PUBLIC KEY-----\\n\",\"fingerprint\":\"" + registeredKey.publicKey().fingerprint() + "\"}";
        CustomerView registered = desk.register("Alice Martin", file);
        assertEquals(null, registered.sessionId(), "not seen yet");
        io.securerelay.desk.DeskException twice = org.junit.jupiter.api.Assertions.assertThrows(
                io.securerelay.desk.DeskException.class, () -> desk.register("Alice again", file));
        assertEquals(io.securerelay.desk.DeskException.Kind.CONFLICT, twice.kind());
        org.junit.jupiter.api.Assertions.assertThrows(io.securerelay.desk.DeskException.class,
                () -> desk.register("x", file.replace(registeredKey.publicKey().fingerprint(), "00")),
                "a file whose fingerprint does not match its key is refused");

        Customer alice = new Customer("alice", SessionId.random(RANDOM), registeredKey);
        Customer stranger = new Customer("stranger");
        alice.awaitSecure();
        stranger.awaitSecure();
        assertEquals(registered.id(), customerOf(alice), "the registered customer, bound to the session it called from");
        assertEquals("Alice Martin", desk.customer(registered.id()).label());
        assertEquals(alice.id.toHex(), desk.customer(registered.id()).sessionId());
        assertTrue(customerOf(stranger) != registered.id());
        assertEquals(2, desk.customers().size());
    }
}

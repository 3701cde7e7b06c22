package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.SessionId;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handshake driver alone: two of them wired by hand, the test carrying each message across, on
 * times it picks (the handshakes' own deadline reads the manual loop's wall clock).
 */
class HandshakesTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long T0 = 1_000_000_000L;

    private final ManualEventLoop loop = new ManualEventLoop();

    /** One side: its driver and what it told its listener. */
    final class Side implements Handshakes.Listener {
        final SessionId id = SessionId.random(RANDOM);
        final IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        final Handshakes handshakes;
        final List<String> what = new ArrayList<>();
        final List<byte[]> sent = new ArrayList<>();
        SecureSession session;
        boolean confirmsAtOnce;
        int failing;

        Side(String peerRole, SessionPolicy policy) {
            handshakes = new Handshakes(peerRole, identity, new InMemoryPeerTrustStore(peerRole), policy, loop.clock(),
                    RANDOM, this);
        }

        byte[] last() {
            return sent.get(sent.size() - 1);
        }

        @Override
        public void send(SessionId to, byte[] payload, String what) {
            this.what.add(what);
            sent.add(payload);
        }

        @Override
        public void handshaking() {
            what.add("handshaking");
        }

        @Override
        public void established(SecureSession s, SessionId from, TrustResult trusted, boolean responderSide) {
            session = s;
            confirmsAtOnce = responderSide;
            what.add("established");
        }

        @Override
        public void keyChanged(UntrustedIdentityException e) {
            what.add("key changed");
        }

        @Override
        public void rejected(Rejections.Kind kind, SessionId from, String dropped, int bytes, String sentence) {
            what.add("rejected " + kind.code());
        }

        @Override
        public void failing(String sentence) {
            failing++;
        }
    }

    @Test
    void initResponseFinishEstablishesBothSidesAndOnlyTheResponderConfirmsAtOnce() throws Exception {
        Side customer = new Side("bank", SessionPolicy.DEFAULT);
        Side bank = new Side("customer", SessionPolicy.DEFAULT);
        customer.handshakes.start(customer.id, bank.id, T0);
        assertTrue(customer.handshakes.underWay(T0));
        bank.handshakes.onInit(bank.id, customer.id, customer.last(), T0);
        customer.handshakes.onResponse(bank.id, bank.last());
        bank.handshakes.onFinish(customer.id, customer.last());
        assertEquals(List.of("handshaking", "INIT", "FINISH", "established"), customer.what);
        assertEquals(List.of("handshaking", "RESPONSE", "established"), bank.what);
        assertFalse(customer.confirmsAtOnce);
        assertTrue(bank.confirmsAtOnce);
        assertEquals(customer.session.safetyNumber(), bank.session.safetyNumber());
        assertFalse(customer.handshakes.underWay(T0) || bank.handshakes.underWay(T0), "nothing left under way");
    }

    @Test
    void anUnansweredHandshakeIsGivenUpAfterFourSecondsOrThePolicysTimeoutIfShorter() {
        Side customer = new Side("bank", SessionPolicy.DEFAULT);
        customer.handshakes.start(customer.id, SessionId.random(RANDOM), T0);
        assertTrue(customer.handshakes.underWay(T0 + Handshakes.RETRY.toNanos()));
        assertFalse(customer.handshakes.underWay(T0 + Handshakes.RETRY.toNanos() + 1));
        assertFalse(customer.handshakes.underWay(T0 + Handshakes.RETRY.toNanos() + 2), "given up for good");

        Side hasty = new Side("bank", new SessionPolicy(1000, Duration.ofMinutes(10), Duration.ofSeconds(2)));
        hasty.handshakes.start(hasty.id, SessionId.random(RANDOM), T0);
        assertTrue(hasty.handshakes.underWay(T0 + Duration.ofSeconds(2).toNanos()));
        assertFalse(hasty.handshakes.underWay(T0 + Duration.ofSeconds(2).toNanos() + 1));
    }

    @Test
    void crossingInitsLeaveTheLowerSessionIdTheInitiator() throws Exception {
        Side a = new Side("bank", SessionPolicy.DEFAULT);
        Side b = new Side("customer", SessionPolicy.DEFAULT);
        Side low = a.id.compareTo(b.id) < 0 ? a : b;
        Side high = low == a ? b : a;
        low.handshakes.start(low.id, high.id, T0);
        byte[] lowInit = low.last();
        high.handshakes.start(high.id, low.id, T0);
        byte[] highInit = high.last();
        low.handshakes.onInit(low.id, high.id, highInit, T0);
        assertEquals(List.of("handshaking", "INIT"), low.what, "the lower one does not answer");
        high.handshakes.onInit(high.id, low.id, lowInit, T0);
        assertEquals("RESPONSE", high.what.get(high.what.size() - 1), "the higher one answers");
        low.handshakes.onResponse(high.id, high.last());
        high.handshakes.onFinish(low.id, low.last());
        assertNotNull(low.session);
        assertNotNull(high.session);
        assertEquals(low.session.safetyNumber(), high.session.safetyNumber());
    }

    @Test
    void staleAnswersAreOnlyLoggedTwiceAndReportedFromTheThirdInARow() throws Exception {
        Side customer = new Side("bank", SessionPolicy.DEFAULT);
        Side bank = new Side("customer", SessionPolicy.DEFAULT);
        for (int i = 1; i <= 3; i++) {
            customer.handshakes.start(customer.id, bank.id, T0);
            byte[] stale = customer.last();
            customer.handshakes.start(customer.id, bank.id, T0); // a reconnect: a new attempt
            bank.handshakes.onInit(bank.id, customer.id, stale, T0);
            customer.handshakes.onResponse(bank.id, bank.last()); // the answer to the old attempt
            assertEquals(i < 3 ? 0 : 1, customer.failing, "after " + i);
        }
        assertTrue(!customer.what.contains("established"));
    }
}

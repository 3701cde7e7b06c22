package io.securerelay.protocol;

import static io.securerelay.protocol.TestSupport.ALICE;
import static io.securerelay.protocol.TestSupport.BOB;
import static io.securerelay.protocol.TestSupport.MALLORY;
import static io.securerelay.protocol.TestSupport.RANDOM;
import static io.securerelay.protocol.TestSupport.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.P256;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.Handshake.State;
import io.securerelay.protocol.TestSupport.FakeClock;
import io.securerelay.protocol.TestSupport.Pair;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Wire;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The handshake state machine, honest runs and a relay that tampers, replays, reflects and swaps. */
class HandshakeTest {
    private static final int EPH = Wire.PREFIX;            // ephemeral key offset in INIT and RESPONSE
    private static final int INIT_ID = EPH + Wire.PT;       // initiator identity offset
    private static final int INIT_SIG = INIT_ID + Wire.PT;  // initiator INIT signature offset
    private static final int RESP_ID = EPH + Wire.PT;       // responder identity offset
    private static final int RESP_SIG = RESP_ID + Wire.PT;
    private static final int RESP_MAC = RESP_SIG + Wire.SIG;
    private static final int FIN_SIG = Wire.PREFIX;
    private static final int FIN_MAC = FIN_SIG + Wire.SIG;

    @Test
    void layoutLengthsAndOffsets() {
        assertEquals(228, Wire.INIT_LEN);
        assertEquals(Wire.INIT_LEN, INIT_SIG + Wire.SIG);
        assertEquals(260, Wire.RESPONSE_LEN);
        assertEquals(130, Wire.FINISH_LEN);
        assertEquals(Wire.FINISH_LEN, FIN_MAC + Wire.MAC);
    }

    @Test
    void honestHandshakeCompletesWithSameTranscriptAndSafetyNumberAndTofu() throws Exception {
        Pair p = new Pair();
        assertEquals(State.READY, p.a.state());
        byte[] init = p.a.createInit();
        assertEquals(Wire.INIT_LEN, init.length);
        assertArrayEquals(ALICE.publicKey().point(), java.util.Arrays.copyOfRange(init, INIT_ID, INIT_SIG));
        assertEquals(Envelope.INIT, Envelope.of(init));
        assertArrayEquals(p.sidA.toBytes(), Envelope.initiatorIdOfInit(init));
        assertEquals(null, Envelope.initiatorIdOfInit(java.util.Arrays.copyOf(init, 99)), "old INIT length");
        assertEquals(State.AWAITING_RESPONSE, p.a.state());
        byte[] response = p.b.receiveInit(init);
        assertEquals(Wire.RESPONSE_LEN, response.length);
        assertEquals(State.AWAITING_FINISH, p.b.state());
        byte[] finish = p.a.receiveResponse(response);
        assertEquals(Wire.FINISH_LEN, finish.length);
        assertEquals(State.COMPLETE, p.a.state());
        p.b.receiveFinish(finish);
        assertEquals(State.COMPLETE, p.b.state());
        SecureSession sa = p.a.session();
        SecureSession sb = p.b.session();
        assertArrayEquals(sa.transcriptHash(), sb.transcriptHash());
        assertEquals(BOB.publicKey(), sa.peerIdentity());
        assertEquals(ALICE.publicKey(), sb.peerIdentity());
        assertEquals(sa.safetyNumber(), sb.safetyNumber());
        assertTrue(p.a.peerTrust().newlyTrusted());
        assertEquals(BOB.publicKey().fingerprint(), p.a.peerTrust().fingerprint());
        assertTrue(p.b.peerTrust().newlyTrusted());
        assertEquals(ALICE.publicKey(), p.bTrust.stored().orElseThrow(), "responder trusts on first use at FINISH");
        assertThrows(IllegalStateException.class, p.a::session, "session can be taken only once");

        Pair again = new Pair(SessionPolicy.DEFAULT, new FakeClock(), p.aTrust, p.bTrust);
        again.run();
        assertFalse(again.a.peerTrust().newlyTrusted());
        assertFalse(again.b.peerTrust().newlyTrusted());
    }

    @Test
    void wrongStateCallsThrowIllegalStateWithoutFailing() throws Exception {
        Pair p = new Pair();
        assertThrows(IllegalStateException.class, () -> p.a.receiveResponse(new byte[Wire.RESPONSE_LEN]));
        assertThrows(IllegalStateException.class, () -> p.b.receiveFinish(new byte[Wire.FINISH_LEN]));
        assertThrows(IllegalStateException.class, p.a::session);
        assertEquals(State.READY, p.a.state());
        assertEquals(State.READY, p.b.state());
        p.run();
        assertThrows(IllegalStateException.class, p.a::createInit);
    }

    @Test
    void everyByteFlipOfInitIsRejectedByResponderWithTheRightExceptionAndInitiatorTimesOut() throws Exception {
        int n = 0;
        for (int i = 0; i < Wire.INIT_LEN; i++) {
            Pair p = new Pair();
            byte[] init = p.a.createInit();
            byte[] bad = flip(init, i);
            // header, session IDs, eI and idI are structurally checked (flipped points leave the curve);
            // a flipped sig0 fails the signature.
            Class<? extends Exception> expected = i < INIT_SIG ? HandshakeException.class : AuthenticationFailedException.class;
            Exception e = assertThrows(Exception.class, () -> p.b.receiveInit(bad));
            assertEquals(expected, e.getClass(), "INIT byte " + i + ": " + e.getMessage());
            assertEquals(State.FAILED, p.b.state());
            assertTrue(p.bTrust.stored().isEmpty(), "nothing trusted after a failed handshake");
            assertThrows(IllegalStateException.class, () -> p.b.receiveInit(init), "FAILED is final");
            assertEquals(State.AWAITING_RESPONSE, p.a.state());
            p.clock.advance(Duration.ofSeconds(31));
            assertThrows(HandshakeException.class, p.a::checkTimeout);
            assertEquals(State.FAILED, p.a.state());
            n++;
        }
        assertEquals(228, n);
    }

    @Test
    void everyByteFlipOfResponseIsRejectedWithTheRightExceptionAndBothSidesFail() throws Exception {
        for (int i = 0; i < Wire.RESPONSE_LEN; i++) {
            Pair p = new Pair();
            byte[] response = p.b.receiveInit(p.a.createInit());
            byte[] bad = flip(response, i);
            Class<? extends Exception> expected = i < RESP_SIG ? HandshakeException.class : AuthenticationFailedException.class;
            Exception e = assertThrows(Exception.class, () -> p.a.receiveResponse(bad));
            assertEquals(expected, e.getClass(), "RESPONSE byte " + i + ": " + e.getMessage());
            assertEquals(State.FAILED, p.a.state());
            assertTrue(p.aTrust.stored().isEmpty(), "nothing trusted after a failed handshake");
            p.clock.advance(Duration.ofSeconds(31));
            assertThrows(HandshakeException.class, p.b::checkTimeout);
            assertEquals(State.FAILED, p.b.state());
        }
    }

    @Test
    void everyByteFlipOfFinishIsRejectedWithTheRightException() throws Exception {
        for (int i = 0; i < Wire.FINISH_LEN; i++) {
            Pair p = new Pair();
            byte[] finish = p.a.receiveResponse(p.b.receiveInit(p.a.createInit()));
            byte[] bad = flip(finish, i);
            Class<? extends Exception> expected = i < FIN_SIG ? HandshakeException.class : AuthenticationFailedException.class;
            Exception e = assertThrows(Exception.class, () -> p.b.receiveFinish(bad));
            assertEquals(expected, e.getClass(), "FINISH byte " + i + ": " + e.getMessage());
            assertEquals(State.FAILED, p.b.state());
            assertThrows(IllegalStateException.class, () -> p.b.receiveFinish(finish));
            assertTrue(p.bTrust.stored().isEmpty());
        }
    }

    @Test
    void authenticationFailureMessageNamesTheClaimedPeerFingerprint() throws Exception {
        Pair p = new Pair();
        byte[] response = p.b.receiveInit(p.a.createInit());
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                () -> p.a.receiveResponse(flip(response, RESP_MAC)));
        assertTrue(e.getMessage().startsWith("Signature verification failed: handshake RESPONSE not from "));
        assertTrue(e.getMessage().contains(BOB.publicKey().fingerprint()));
    }

    @Test
    void relaySwappingEphemeralKeysMakesBothSidesFail() throws Exception {
        // eI is signed in INIT: a substituted initiator ephemeral is refused by the responder at once.
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        byte[] mitmInit = init.clone();
        System.arraycopy(P256.encodePoint(P256.generateKeyPair(RANDOM).getPublic()), 0, mitmInit, EPH, Wire.PT);
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> p.b.receiveInit(mitmInit));
        assertTrue(e.getMessage().contains("handshake INIT not from " + ALICE.publicKey().fingerprint()), e.getMessage());
        assertEquals(State.FAILED, p.b.state());
        p.clock.advance(Duration.ofMinutes(1));
        assertThrows(HandshakeException.class, p.a::checkTimeout);
        assertEquals(State.FAILED, p.a.state());
        // A substituted responder ephemeral fails the responder's signature at the initiator.
        Pair q = new Pair();
        byte[] qResponse = q.b.receiveInit(q.a.createInit());
        byte[] qMitm = qResponse.clone();
        System.arraycopy(P256.encodePoint(P256.generateKeyPair(RANDOM).getPublic()), 0, qMitm, EPH, Wire.PT);
        assertThrows(AuthenticationFailedException.class, () -> q.a.receiveResponse(qMitm));
        assertEquals(State.FAILED, q.a.state());
        // The relay cannot produce a FINISH: a forged one fails, and silence hits the deadline.
        byte[] forged = new byte[Wire.FINISH_LEN];
        forged[0] = Wire.VERSION;
        forged[1] = Wire.TYPE_FINISH;
        System.arraycopy(q.sidA.toBytes(), 0, forged, 2, 16);
        System.arraycopy(q.sidB.toBytes(), 0, forged, 18, 16);
        System.arraycopy(MALLORY.sign(new byte[] {1}), 0, forged, FIN_SIG, Wire.SIG);
        assertThrows(AuthenticationFailedException.class, () -> q.b.receiveFinish(forged));
        assertEquals(State.FAILED, q.b.state());
        assertTrue(q.bTrust.stored().isEmpty());
    }

    @Test
    void relayReplacingTheInitiatorIdentityAndSignatureIsCaughtAtFinish() throws Exception {
        // Mallory re-signs Alice's INIT (public eI) as herself: an unpinned responder answers, but
        // Alice's FINISH is signed by Alice over a transcript with Alice's key, so it fails.
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        byte[] eI = java.util.Arrays.copyOfRange(init, EPH, INIT_ID);
        byte[] mitm = initSignedBy(MALLORY, MALLORY.publicKey().point(), p.sidA, p.sidB, eI);
        byte[] response = p.b.receiveInit(mitm);
        byte[] finish = p.a.receiveResponse(response);
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> p.b.receiveFinish(finish));
        assertTrue(e.getMessage().contains(MALLORY.publicKey().fingerprint()));
        assertEquals(State.FAILED, p.b.state());
        assertTrue(p.bTrust.stored().isEmpty(), "Mallory's key is not trusted by a failed handshake");
    }

    @Test
    void initSignedByAKeyOtherThanIdIIsRefused() throws Exception {
        // Alice's identity point, Mallory's signature over the correct THI.
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        byte[] eI = java.util.Arrays.copyOfRange(init, EPH, INIT_ID);
        byte[] forged = initSignedBy(MALLORY, ALICE.publicKey().point(), p.sidA, p.sidB, eI);
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> p.b.receiveInit(forged));
        assertEquals("Signature verification failed: handshake INIT not from " + ALICE.publicKey().fingerprint(),
                e.getMessage());
        assertEquals(State.FAILED, p.b.state());
        // Mallory's identity point with Alice's genuine signature (identity field swapped).
        Pair q = new Pair();
        byte[] swapped = q.a.createInit();
        System.arraycopy(MALLORY.publicKey().point(), 0, swapped, INIT_ID, Wire.PT);
        assertThrows(AuthenticationFailedException.class, () -> q.b.receiveInit(swapped));
        assertEquals(State.FAILED, q.b.state());
        // A signature with another role label (here: Alice's own key, the FINISH label) is refused too.
        Pair r = new Pair();
        byte[] rInit = r.a.createInit();
        byte[] rEI = java.util.Arrays.copyOfRange(rInit, EPH, INIT_ID);
        byte[] thI = KeySchedule.transcript(r.sidA.toBytes(), r.sidB.toBytes(), rEI, ALICE.publicKey().point());
        byte[] wrongLabel = rInit.clone();
        System.arraycopy(ALICE.sign(KeySchedule.SIG_I, thI), 0, wrongLabel, INIT_SIG, Wire.SIG);
        assertThrows(AuthenticationFailedException.class, () -> r.b.receiveInit(wrongLabel));
        assertEquals(State.FAILED, r.b.state());
    }

    /** An INIT with the given identity point, signed (correct label and THI) by {@code signer}. */
    private static byte[] initSignedBy(io.securerelay.identity.IdentityKeyPair signer, byte[] idI,
            io.securerelay.protocol.relay.SessionId sidI, io.securerelay.protocol.relay.SessionId sidR, byte[] eI) {
        byte[] thI = KeySchedule.transcript(sidI.toBytes(), sidR.toBytes(), eI, idI);
        return Wire.encodeInit(new Wire.Init(sidI.toBytes(), sidR.toBytes(), eI, idI,
                signer.sign(KeySchedule.SIG_INIT, thI)));
    }

    @Test
    void relaySwappingTheIdentityFieldFailsTheSignature() throws Exception {
        Pair p = new Pair();
        byte[] response = p.b.receiveInit(p.a.createInit());
        byte[] swapped = response.clone();
        System.arraycopy(MALLORY.publicKey().point(), 0, swapped, RESP_ID, Wire.PT);
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> p.a.receiveResponse(swapped));
        assertTrue(e.getMessage().contains(MALLORY.publicKey().fingerprint()));
        assertEquals(State.FAILED, p.a.state());
    }

    @Test
    void fullMitmWithOwnIdentityIsRefusedByPinnedKeyWithBothFingerprints() throws Exception {
        InMemoryPeerTrustStore aTrust = new InMemoryPeerTrustStore("bob");
        aTrust.trust(BOB.publicKey()); // pinned from an earlier session
        Pair p = new Pair(SessionPolicy.DEFAULT, new FakeClock(), aTrust, new InMemoryPeerTrustStore("alice"));
        byte[] init = p.a.createInit();
        // Mallory answers as responder with her own identity, for the same connection IDs.
        ResponderHandshake mallory = Handshake.responder(MALLORY, p.sidB, p.sidA, new InMemoryPeerTrustStore("alice"),
                SessionPolicy.DEFAULT, p.clock, RANDOM);
        byte[] response = mallory.receiveInit(init);
        UntrustedIdentityException e = assertThrows(UntrustedIdentityException.class, () -> p.a.receiveResponse(response));
        assertEquals(BOB.publicKey().fingerprint(), e.storedFingerprint());
        assertEquals(MALLORY.publicKey().fingerprint(), e.presentedFingerprint());
        assertTrue(e.getMessage().contains(e.storedFingerprint()) && e.getMessage().contains(e.presentedFingerprint()));
        assertEquals(State.FAILED, p.a.state());
        assertEquals(BOB.publicKey(), aTrust.stored().orElseThrow(), "the stored key is never replaced automatically");
        // After an explicit retrust the same key is accepted.
        aTrust.retrust(MALLORY.publicKey());
        Pair q = new Pair(SessionPolicy.DEFAULT, new FakeClock(), aTrust, new InMemoryPeerTrustStore("alice"),
                ALICE, MALLORY, RANDOM);
        q.run();
        assertFalse(q.a.peerTrust().newlyTrusted());
    }

    @Test
    void changedInitiatorKeyIsRefusedByTheResponderAtInitWithBothFingerprints() throws Exception {
        InMemoryPeerTrustStore bTrust = new InMemoryPeerTrustStore("alice");
        bTrust.trust(ALICE.publicKey()); // pinned from an earlier session
        // Mallory calls as initiator with her own (validly signed) identity.
        Pair p = new Pair(SessionPolicy.DEFAULT, new FakeClock(), new InMemoryPeerTrustStore("bob"), bTrust,
                MALLORY, BOB, RANDOM);
        byte[] init = p.a.createInit();
        UntrustedIdentityException e = assertThrows(UntrustedIdentityException.class, () -> p.b.receiveInit(init));
        assertEquals("alice", e.peerRole());
        assertEquals(ALICE.publicKey().fingerprint(), e.storedFingerprint());
        assertEquals(MALLORY.publicKey().fingerprint(), e.presentedFingerprint());
        assertEquals(MALLORY.publicKey(), e.presentedKey());
        assertTrue(e.getMessage().contains(e.storedFingerprint()) && e.getMessage().contains(e.presentedFingerprint()));
        assertEquals(State.FAILED, p.b.state());
        assertThrows(IllegalStateException.class, () -> p.b.receiveInit(init), "FAILED is final");
        assertEquals(ALICE.publicKey(), bTrust.stored().orElseThrow(), "the stored key is never replaced automatically");
        // The responder sent nothing: the initiator fails at its deadline.
        p.clock.advance(Duration.ofMinutes(1));
        assertThrows(HandshakeException.class, p.a::checkTimeout);
        assertEquals(State.FAILED, p.a.state());
        // After an explicit retrust of the presented key the same initiator is accepted.
        bTrust.retrust(e.presentedKey());
        Pair q = new Pair(SessionPolicy.DEFAULT, new FakeClock(), new InMemoryPeerTrustStore("bob"), bTrust,
                MALLORY, BOB, RANDOM);
        q.run();
        assertFalse(q.b.peerTrust().newlyTrusted());
    }

    @Test
    void changedResponderKeyIsRefusedByTheInitiatorAtResponse() throws Exception {
        InMemoryPeerTrustStore aTrust = new InMemoryPeerTrustStore("bob");
        aTrust.trust(MALLORY.publicKey()); // Alice's pin for "bob" is not Bob's key
        InMemoryPeerTrustStore bTrust = new InMemoryPeerTrustStore("alice");
        bTrust.trust(ALICE.publicKey()); // Bob's pin is right: he answers
        Pair p = new Pair(SessionPolicy.DEFAULT, new FakeClock(), aTrust, bTrust);
        byte[] response = p.b.receiveInit(p.a.createInit());
        assertEquals(State.AWAITING_FINISH, p.b.state());
        UntrustedIdentityException e = assertThrows(UntrustedIdentityException.class, () -> p.a.receiveResponse(response));
        assertEquals(MALLORY.publicKey().fingerprint(), e.storedFingerprint());
        assertEquals(BOB.publicKey().fingerprint(), e.presentedFingerprint());
        assertEquals(BOB.publicKey(), e.presentedKey());
        assertEquals(State.FAILED, p.a.state());
        assertEquals(MALLORY.publicKey(), aTrust.stored().orElseThrow());
        p.clock.advance(Duration.ofMinutes(1));
        assertThrows(HandshakeException.class, p.b::checkTimeout);
        assertEquals(State.FAILED, p.b.state());
    }

    @Test
    void swappedPeerKeysAreRefusedWithBothFingerprintsByWhicheverSideReceivesAnInit() throws Exception {
        // Each side's stored "peer" key is really its own key (the peer key files were swapped).
        InMemoryPeerTrustStore aTrust = new InMemoryPeerTrustStore("bob");
        aTrust.trust(ALICE.publicKey());
        InMemoryPeerTrustStore bTrust = new InMemoryPeerTrustStore("alice");
        bTrust.trust(BOB.publicKey());
        Pair ab = new Pair(SessionPolicy.DEFAULT, new FakeClock(), aTrust, bTrust);
        UntrustedIdentityException atBob = assertThrows(UntrustedIdentityException.class,
                () -> ab.b.receiveInit(ab.a.createInit()));
        // The other direction (both dialled, crossing INITs): Alice, as responder, refuses Bob's INIT.
        ResponderHandshake aliceResponds = Handshake.responder(ALICE, ab.sidA, ab.sidB, aTrust, SessionPolicy.DEFAULT,
                ab.clock, RANDOM);
        InitiatorHandshake bobCalls = Handshake.initiator(BOB, ab.sidB, ab.sidA, bTrust, SessionPolicy.DEFAULT,
                ab.clock, RANDOM);
        UntrustedIdentityException atAlice = assertThrows(UntrustedIdentityException.class,
                () -> aliceResponds.receiveInit(bobCalls.createInit()));
        for (UntrustedIdentityException e : new UntrustedIdentityException[] {atBob, atAlice}) {
            assertTrue(e.getMessage().contains(ALICE.publicKey().fingerprint())
                    && e.getMessage().contains(BOB.publicKey().fingerprint()), e.getMessage());
        }
        assertEquals(BOB.publicKey().fingerprint(), atBob.storedFingerprint());
        assertEquals(ALICE.publicKey().fingerprint(), atAlice.storedFingerprint());
        assertEquals(State.FAILED, ab.b.state());
        assertEquals(State.FAILED, aliceResponds.state());
        assertEquals(ALICE.publicKey(), aTrust.stored().orElseThrow());
        assertEquals(BOB.publicKey(), bTrust.stored().orElseThrow());
    }

    @Test
    void replayedOldInitAndResponseFail() throws Exception {
        Pair old = new Pair();
        byte[] oldInit = old.a.createInit();
        byte[] oldResponse = old.b.receiveInit(oldInit);
        byte[] oldFinish = old.a.receiveResponse(oldResponse);
        old.b.receiveFinish(oldFinish);

        // Old INIT into a new connection (new session IDs): refused at once.
        Pair p = new Pair();
        p.a.createInit();
        HandshakeException e = assertThrows(HandshakeException.class, () -> p.b.receiveInit(oldInit));
        assertTrue(e.getMessage().contains("session IDs"));
        // Old RESPONSE into a new connection: refused.
        assertThrows(HandshakeException.class, () -> p.a.receiveResponse(oldResponse));
        assertEquals(State.FAILED, p.a.state());

        // Even with the same session IDs (a relay that reuses them), the old RESPONSE does not
        // verify: the new initiator's ephemeral key is in the signed transcript.
        Pair same = new Pair(SessionPolicy.DEFAULT, new FakeClock(), new InMemoryPeerTrustStore("bob"),
                new InMemoryPeerTrustStore("alice"));
        InitiatorHandshake a2 = Handshake.initiator(ALICE, old.sidA, old.sidB, same.aTrust, SessionPolicy.DEFAULT,
                same.clock, RANDOM);
        a2.createInit();
        assertThrows(AuthenticationFailedException.class, () -> a2.receiveResponse(oldResponse));
        assertEquals(State.FAILED, a2.state());
        // And an old INIT replayed to a fresh responder (same IDs) yields a RESPONSE nobody can finish.
        ResponderHandshake b2 = Handshake.responder(BOB, old.sidB, old.sidA, same.bTrust, SessionPolicy.DEFAULT,
                same.clock, RANDOM);
        b2.receiveInit(oldInit); // sig0 still verifies: it binds the IDs and eI, not the responder's fresh eR
        assertEquals(State.AWAITING_FINISH, b2.state());
        assertThrows(AuthenticationFailedException.class, () -> b2.receiveFinish(oldFinish));
        assertEquals(State.FAILED, b2.state());
        // A replayed INIT to a responder that has since pinned Alice also gets no further than RESPONSE.
        ResponderHandshake b3 = Handshake.responder(BOB, old.sidB, old.sidA, old.bTrust, SessionPolicy.DEFAULT,
                same.clock, RANDOM);
        b3.receiveInit(oldInit);
        same.clock.advance(Duration.ofMinutes(1));
        assertThrows(HandshakeException.class, b3::checkTimeout);
        assertEquals(State.FAILED, b3.state());
        assertEquals(ALICE.publicKey(), old.bTrust.stored().orElseThrow());
    }

    @Test
    void replayedOldFinishFailsForANewResponder() throws Exception {
        Pair old = new Pair();
        byte[] init = old.a.createInit();
        byte[] finish = old.a.receiveResponse(old.b.receiveInit(init));
        old.b.receiveFinish(finish);
        ResponderHandshake b2 = Handshake.responder(BOB, old.sidB, old.sidA, new InMemoryPeerTrustStore("alice"),
                SessionPolicy.DEFAULT, old.clock, RANDOM);
        b2.receiveInit(init); // replayed INIT, fresh responder ephemeral
        assertThrows(AuthenticationFailedException.class, () -> b2.receiveFinish(finish));
        assertEquals(State.FAILED, b2.state());
    }

    @Test
    void reflectedMessagesAreRefusedBySender() throws Exception {
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        HandshakeException e = assertThrows(HandshakeException.class, () -> p.a.receiveResponse(init));
        assertTrue(e.getMessage().contains("unexpected handshake message type"));
        assertEquals(State.FAILED, p.a.state());

        Pair q = new Pair();
        byte[] response = q.b.receiveInit(q.a.createInit());
        assertThrows(HandshakeException.class, () -> q.b.receiveFinish(response));
        assertEquals(State.FAILED, q.b.state());
    }

    @Test
    void crossingTwoConnectionsIsRefused() throws Exception {
        Pair x = new Pair();
        Pair y = new Pair();
        byte[] xInit = x.a.createInit();
        y.a.createInit();
        assertThrows(HandshakeException.class, () -> y.b.receiveInit(xInit));
        byte[] xResponse = x.b.receiveInit(xInit);
        assertThrows(HandshakeException.class, () -> y.a.receiveResponse(xResponse));
        byte[] xFinish = x.a.receiveResponse(xResponse);
        Pair z = new Pair();
        z.b.receiveInit(z.a.createInit());
        assertThrows(HandshakeException.class, () -> z.b.receiveFinish(xFinish));
        x.b.receiveFinish(xFinish);
        assertEquals(State.COMPLETE, x.b.state());
    }

    @Test
    void downgradedVersionByteIsRefusedWithClearMessage() throws Exception {
        for (int version : new int[] {0, 2, 0xff}) {
            Pair p = new Pair();
            byte[] init = p.a.createInit();
            init[0] = (byte) version;
            HandshakeException e = assertThrows(HandshakeException.class, () -> p.b.receiveInit(init));
            assertTrue(e.getMessage().contains("unsupported protocol version " + version), e.getMessage());
        }
    }

    @Test
    void truncatedAndExtendedMessagesAreRefused() throws Exception {
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        assertThrows(HandshakeException.class, () -> p.b.receiveInit(java.util.Arrays.copyOf(init, init.length - 1)));
        Pair q = new Pair();
        byte[] init2 = q.a.createInit();
        assertThrows(HandshakeException.class, () -> q.b.receiveInit(java.util.Arrays.copyOf(init2, init2.length + 1)));
        Pair r = new Pair();
        assertThrows(HandshakeException.class, () -> r.b.receiveInit(new byte[0]));
    }

    @Test
    void invalidCurvePointAsEphemeralIsRefused() throws Exception {
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        byte[] inf = init.clone();
        java.util.Arrays.fill(inf, EPH, EPH + Wire.PT, (byte) 0);
        assertThrows(HandshakeException.class, () -> p.b.receiveInit(inf));
        assertEquals(State.FAILED, p.b.state());
        Pair q = new Pair();
        byte[] badId = q.a.createInit();
        java.util.Arrays.fill(badId, INIT_ID, INIT_SIG, (byte) 0);
        HandshakeException e = assertThrows(HandshakeException.class, () -> q.b.receiveInit(badId));
        assertEquals("INIT has an invalid identity public key", e.getMessage());
        assertEquals(State.FAILED, q.b.state());
    }

    @Test
    void handshakeTimesOutByTheInjectedClock() throws Exception {
        Pair p = new Pair();
        byte[] init = p.a.createInit();
        p.clock.advance(Duration.ofSeconds(29));
        p.a.checkTimeout(); // still in time
        byte[] response = p.b.receiveInit(init);
        p.clock.advance(Duration.ofSeconds(2));
        HandshakeException e = assertThrows(HandshakeException.class, () -> p.a.receiveResponse(response));
        assertTrue(e.getMessage().contains("timed out"));
        assertEquals(State.FAILED, p.a.state());
    }
}

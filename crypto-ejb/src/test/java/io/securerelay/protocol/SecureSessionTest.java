package io.securerelay.protocol;

import static io.securerelay.protocol.TestSupport.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.AlteredInTransitException;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.TestSupport.FakeClock;
import io.securerelay.protocol.TestSupport.Pair;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Padding;
import io.securerelay.protocol.internal.ReplayWindow;
import io.securerelay.protocol.internal.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sealed messages on an established session, and a relay that tampers, replays, reorders, drops. */
class SecureSessionTest {
    private SecureSession alice;
    private SecureSession bob;
    private FakeClock clock;

    @BeforeEach
    void establish() throws Exception {
        Pair p = new Pair();
        SecureSession[] s = p.run();
        alice = s[0];
        bob = s[1];
        clock = p.clock;
    }

    private SecureSession[] establish(SessionPolicy policy) throws Exception {
        clock = new FakeClock();
        return new Pair(policy, clock, new InMemoryPeerTrustStore("bob"), new InMemoryPeerTrustStore("alice")).run();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripBothDirectionsAllKindsAndSizes() throws Exception {
        for (int size : new int[] {0, 1, 64, 123, 124, 1024, 65536, SecureSession.MAX_BODY}) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            for (MessageKind kind : MessageKind.values()) {
                OpenedMessage m = bob.open(alice.seal(kind, body));
                assertEquals(kind, m.kind());
                assertArrayEquals(body, m.body());
                OpenedMessage r = alice.open(bob.seal(kind, body));
                assertArrayEquals(body, r.body());
            }
        }
        assertEquals(24, alice.nextSendSeq());
    }

    @Test
    void lengthsLeakOnlyThePadmeBucketAndDummyLooksLikeText() throws Exception {
        int overhead = Wire.DATA_HEADER + 16 + Wire.SIG;
        assertEquals(128 + overhead, alice.seal(MessageKind.TEXT, new byte[0]).length);
        assertEquals(128 + overhead, alice.seal(MessageKind.TEXT, new byte[123]).length);
        assertEquals(alice.seal(MessageKind.TEXT, new byte[100]).length, alice.seal(MessageKind.DUMMY, new byte[7]).length);
        assertEquals(alice.seal(MessageKind.TEXT, new byte[1000]).length, alice.seal(MessageKind.TEXT, new byte[1010]).length);
        assertEquals(Padding.bucket(1029) + overhead, alice.seal(MessageKind.TEXT, new byte[1024]).length);
    }

    @Test
    void everyByteFlipOfASealedMessageIsRejectedAndLeavesTheSessionUnchanged() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("transfer 100 EUR to account 42"));
        int malformed = 0;
        int altered = 0;
        int signature = 0;
        int sigStart = m.length - Wire.SIG;
        for (int i = 0; i < m.length; i++) {
            byte[] bad = flip(m, i);
            Exception e = assertThrows(Exception.class, () -> bob.open(bad), "byte " + i);
            if (i < 2 || i == 2 || i == 3) {
                // version, type; the epoch's two high bytes: a jump of 2^24 or 2^16 epochs, refused unread
                assertEquals(MalformedMessageException.class, e.getClass(), "byte " + i + ": " + e);
                malformed++;
            } else if (i < sigStart) {
                // the rest of the header (AAD), the ciphertext and the tag: the cheap AEAD check refuses it
                assertEquals(AlteredInTransitException.class, e.getClass(), "byte " + i + ": " + e);
                assertTrue(e.getMessage().startsWith("Decryption failed") && e.getMessage().contains("altered in transit")
                        && e.getMessage().contains(bob.peerIdentity().fingerprint()), e.getMessage());
                altered++;
            } else {
                // the signature, over a frame whose tag is right: the peer's key did not sign it
                assertEquals(AuthenticationFailedException.class, e.getClass(), "byte " + i + ": " + e);
                assertTrue(e.getMessage().contains(alice.peerIdentity().fingerprint()) == false
                        && e.getMessage().contains(bob.peerIdentity().fingerprint()));
                signature++;
            }
        }
        assertEquals(4, malformed);
        assertEquals(sigStart - 4, altered);
        assertEquals(Wire.SIG, signature);
        assertEquals(0, bob.receiveEpoch());
        // Unchanged: the untouched message and the following one still open.
        assertEquals("transfer 100 EUR to account 42", new String(bob.open(m).body(), StandardCharsets.UTF_8));
        assertEquals(1, bob.open(alice.seal(MessageKind.ACK, new byte[0])).seq());
    }

    /**
     * The order of the checks: a frame whose tag is wrong is refused as altered in transit even when
     * its signature is wrong too (it never reaches the ECDSA verification: were the signature checked
     * first, this would be a signature failure), and also when the peer's genuine key signed it.
     */
    @Test
    void aFrameWithABadTagNeverReachesTheSignatureCheck() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("pay 5 EUR"));
        int tagByte = m.length - Wire.SIG - 1;
        byte[] badTagBadSignature = flip(flip(m, tagByte), m.length - 1);
        assertThrows(AlteredInTransitException.class, () -> bob.open(badTagBadSignature));

        byte[] header = Arrays.copyOf(m, Wire.DATA_HEADER);
        byte[] ct = Arrays.copyOfRange(flip(m, tagByte), Wire.DATA_HEADER, m.length - Wire.SIG);
        byte[] signedByAlice = TestSupport.ALICE.sign(KeySchedule.MSG, KeySchedule.DIR_I2R, alice.transcriptHash(), header, ct);
        byte[] badTagGoodSignature = Wire.concat(header, ct, signedByAlice);
        assertThrows(AlteredInTransitException.class, () -> bob.open(badTagGoodSignature));

        assertEquals("pay 5 EUR", new String(bob.open(m).body(), StandardCharsets.UTF_8), "the session is unchanged");
    }

    /** A replay is refused by the window before the signature is checked (no ECDSA spent on it). */
    @Test
    void aReplayIsRefusedBeforeTheSignatureCheck() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("once"));
        bob.open(m);
        byte[] replayWithBadSignature = flip(m, m.length - 1);
        assertThrows(ReplayDetectedException.class, () -> bob.open(replayWithBadSignature));
    }

    /** A frame whose tag is right but whose signature is not the peer's changes nothing (verify before commit). */
    @Test
    void aBadSignatureOnAnAuthenticFrameCommitsNothing() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("first"));
        assertThrows(AuthenticationFailedException.class, () -> bob.open(flip(m, m.length - 1)));
        assertEquals(0, bob.open(m).seq(), "seq 0 was not marked as seen");
    }

    @Test
    void truncatedMessagesAreRejectedAndLeaveTheSessionUnchanged() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("hello"));
        for (int len = 0; len < m.length; len++) {
            byte[] cut = Arrays.copyOf(m, len);
            Exception e = assertThrows(Exception.class, () -> bob.open(cut));
            assertTrue(e instanceof MalformedMessageException || e instanceof AuthenticationFailedException, e.toString());
        }
        byte[] longer = Arrays.copyOf(m, m.length + 1);
        assertThrows(AuthenticationFailedException.class, () -> bob.open(longer));
        assertEquals("hello", new String(bob.open(m).body(), StandardCharsets.UTF_8));
    }

    @Test
    void replayIsDetectedWithTheRequiredMessage() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("once"));
        bob.open(m);
        ReplayDetectedException e = assertThrows(ReplayDetectedException.class, () -> bob.open(m));
        assertTrue(e.getMessage().startsWith("Replay attack detected"), e.getMessage());
        assertTrue(e.getMessage().contains("seq 0"));
        assertEquals(0, e.seq());
        assertEquals(1, bob.open(alice.seal(MessageKind.TEXT, text("next"))).seq());
    }

    @Test
    void reorderInsideTheWindowIsAcceptedAndDuplicatesStillRejected() throws Exception {
        List<byte[]> msgs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            msgs.add(alice.seal(MessageKind.TEXT, text("m" + i)));
        }
        List<byte[]> shuffled = new ArrayList<>(msgs);
        Collections.shuffle(shuffled, new Random(7));
        for (byte[] m : shuffled) {
            OpenedMessage o = bob.open(m);
            assertEquals("m" + o.seq(), new String(o.body(), StandardCharsets.UTF_8));
        }
        for (byte[] m : msgs) {
            assertThrows(ReplayDetectedException.class, () -> bob.open(m));
        }
    }

    @Test
    void reorderOutsideTheWindowIsRejectedAsTooOld() throws Exception {
        List<byte[]> msgs = new ArrayList<>();
        for (int i = 0; i <= ReplayWindow.WINDOW + 10; i++) {
            msgs.add(alice.seal(MessageKind.DUMMY, new byte[0]));
        }
        bob.open(msgs.get(ReplayWindow.WINDOW + 10));
        ReplayDetectedException e = assertThrows(ReplayDetectedException.class, () -> bob.open(msgs.get(0)));
        assertTrue(e.getMessage().contains("older than the replay window"));
        assertThrows(ReplayDetectedException.class, () -> bob.open(msgs.get(10)));
        assertEquals(11, bob.open(msgs.get(11)).seq(), "the oldest seq inside the window still opens");
    }

    @Test
    void droppedMessagesDoNotStopLaterOnes() throws Exception {
        for (int i = 0; i < 50; i++) {
            byte[] m = alice.seal(MessageKind.TEXT, text("x" + i));
            if (i % 3 == 0) {
                assertEquals(i, bob.open(m).seq());
            }
        }
    }

    @Test
    void messageFromAnotherSessionIsRejected() throws Exception {
        SecureSession[] other = new Pair().run(); // same identities, other handshake
        byte[] m = other[0].seal(MessageKind.TEXT, text("for the other session"));
        assertThrows(AuthenticationFailedException.class, () -> bob.open(m));
        assertEquals(0, bob.open(alice.seal(MessageKind.TEXT, text("ok"))).seq());
    }

    @Test
    void reflectedMessageIsRejectedBySender() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("to bob"));
        assertThrows(AuthenticationFailedException.class, () -> alice.open(m));
        assertEquals(0, bob.open(m).seq());
    }

    @Test
    void downgradedVersionOrWrongTypeIsMalformed() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("v1"));
        byte[] v0 = m.clone();
        v0[0] = 0;
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> bob.open(v0));
        assertTrue(e.getMessage().contains("unsupported protocol version 0"));
        byte[] hs = m.clone();
        hs[1] = Wire.TYPE_INIT;
        assertThrows(MalformedMessageException.class, () -> bob.open(hs));
        assertThrows(MalformedMessageException.class, () -> bob.open(new byte[Wire.INIT_LEN]));
        assertEquals(0, bob.open(m).seq());
    }

    @Test
    void rekeyAfterNMessagesAndReorderAcrossOneEpochBoundary() throws Exception {
        SecureSession[] s = establish(new SessionPolicy(5, Duration.ofDays(1), Duration.ofSeconds(30)));
        List<byte[]> msgs = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            msgs.add(s[0].seal(MessageKind.TEXT, text("r" + i)));
        }
        assertEquals(4, s[0].sendEpoch(), "23 messages at 5 per epoch: epochs 0..4");
        assertEquals(4, java.nio.ByteBuffer.wrap(msgs.get(22), 2, 4).getInt(), "epoch is in the header");
        // 5 (epoch 1) before 4 (epoch 0): the previous epoch key is kept.
        assertEquals(5, s[1].open(msgs.get(5)).seq());
        assertEquals(1, s[1].receiveEpoch());
        assertEquals(4, s[1].open(msgs.get(4)).seq());
        // Jump to epoch 3 (keys derived forward), then epoch 2 still opens, epoch 1 is retired.
        assertEquals(15, s[1].open(msgs.get(15)).seq());
        assertEquals(3, s[1].receiveEpoch());
        assertEquals(12, s[1].open(msgs.get(12)).seq());
        ReplayDetectedException e = assertThrows(ReplayDetectedException.class, () -> s[1].open(msgs.get(6)));
        assertTrue(e.getMessage().contains("epoch 1 already retired"));
        for (int i = 16; i < 23; i++) {
            assertEquals(i, s[1].open(msgs.get(i)).seq());
        }
        assertEquals(4, s[1].receiveEpoch());
    }

    @Test
    void rekeyAfterTimeWithFakeClock() throws Exception {
        SecureSession[] s = establish(new SessionPolicy(1_000_000, Duration.ofMinutes(10), Duration.ofSeconds(30)));
        byte[] m0 = s[1].seal(MessageKind.TEXT, text("t0"));
        clock.advance(Duration.ofMinutes(9));
        byte[] m1 = s[1].seal(MessageKind.TEXT, text("t1"));
        assertEquals(0, s[1].sendEpoch());
        clock.advance(Duration.ofMinutes(1));
        byte[] m2 = s[1].seal(MessageKind.TEXT, text("t2"));
        assertEquals(1, s[1].sendEpoch());
        clock.advance(Duration.ofHours(5));
        byte[] m3 = s[1].seal(MessageKind.TEXT, text("t3"));
        assertEquals(2, s[1].sendEpoch(), "one step per seal, however long the idle time");
        assertEquals("t3", new String(s[0].open(m3).body(), StandardCharsets.UTF_8));
        assertEquals("t2", new String(s[0].open(m2).body(), StandardCharsets.UTF_8));
        assertThrows(ReplayDetectedException.class, () -> s[0].open(m1), "epoch 0 retired after two steps");
        assertThrows(ReplayDetectedException.class, () -> s[0].open(m0));
    }

    @Test
    void closedSessionRefusesUse() throws Exception {
        byte[] m = alice.seal(MessageKind.TEXT, text("a"));
        bob.close();
        assertEquals(SecureSession.State.CLOSED, bob.state());
        assertThrows(IllegalStateException.class, () -> bob.open(m));
        assertThrows(IllegalStateException.class, () -> bob.seal(MessageKind.TEXT, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> alice.seal(MessageKind.TEXT, new byte[SecureSession.MAX_BODY + 1]));
    }

    @Test
    void toStringRevealsNoSecrets() {
        assertTrue(alice.toString().startsWith("SecureSession[INITIATOR"));
        assertEquals("OpenedMessage[TEXT, 3 bytes, seq 0]", new OpenedMessage(MessageKind.TEXT, text("abc"), 0).toString());
    }
}

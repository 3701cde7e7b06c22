package io.securerelay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.fuzz.Mutations;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.TestSupport.DeterministicRandom;
import io.securerelay.protocol.TestSupport.FakeClock;
import io.securerelay.protocol.internal.Wire;
import io.securerelay.protocol.relay.SessionId;
import java.util.Arrays;

/**
 * Fuzzes the parsing and checking of the three handshake messages, INIT (by the responder),
 * RESPONSE (by the initiator) and FINISH (by the responder), each in the state that expects it.
 * The fuzzer picks the message, and whether the receiver already trusts another key for the peer,
 * and then gives raw bytes or edits the valid message of a handshake made with fixed identity
 * keys and deterministic randomness (so the valid message is the same in every run and the edits
 * reach the signature, MAC and trust checks).
 *
 * <p>Contract checked: the receiving call returns the next message (or completes) or throws one of
 * its documented exceptions, {@link HandshakeException}, {@link AuthenticationFailedException},
 * {@link UntrustedIdentityException} or {@link KeyFileException}, and then the handshake is
 * {@link Handshake.State#FAILED}. Anything else (an unchecked exception, an error, a hang) is a
 * finding. A message that is accepted differs from the valid one at most in its signature bytes
 * (an ECDSA signature has two valid encodings), so nothing signed or MACed can be changed; the
 * unedited message is accepted unless another key is trusted, when it is refused as untrusted.
 */
class HandshakeFuzzTest {
    private static final IdentityKeyPair INITIATOR_ID = IdentityKeyPair.generate(new DeterministicRandom("fuzz initiator identity"));
    private static final IdentityKeyPair RESPONDER_ID = IdentityKeyPair.generate(new DeterministicRandom("fuzz responder identity"));
    private static final IdentityKeyPair OTHER_ID = IdentityKeyPair.generate(new DeterministicRandom("fuzz other identity"));
    private static final SessionId SID_I = SessionId.parse("000102030405060708090a0b0c0d0e0f");
    private static final SessionId SID_R = SessionId.parse("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    private static final byte[] INIT;
    private static final byte[] RESPONSE;
    private static final byte[] FINISH;

    static {
        try {
            INIT = initiator(false).createInit();
            RESPONSE = responder(false).receiveInit(INIT);
            InitiatorHandshake i = initiator(false);
            i.createInit();
            FINISH = i.receiveResponse(RESPONSE);
        } catch (Exception e) {
            throw new AssertionError("the fixed handshake failed", e);
        }
    }

    @FuzzTest
    void handshake(FuzzedDataProvider data) throws Exception {
        int which = data.consumeInt(0, 2);
        boolean otherTrusted = data.consumeBoolean();
        switch (which) {
            case 0: {
                ResponderHandshake r = responder(otherTrusted);
                byte[] m = Mutations.of(data, INIT);
                check(r, m, INIT, otherTrusted, () -> r.receiveInit(m), Handshake.State.AWAITING_FINISH,
                        Wire.PREFIX + 2 * Wire.PT);
                break;
            }
            case 1: {
                InitiatorHandshake i = initiator(otherTrusted);
                i.createInit();
                byte[] m = Mutations.of(data, RESPONSE);
                check(i, m, RESPONSE, otherTrusted, () -> i.receiveResponse(m), Handshake.State.COMPLETE,
                        Wire.PREFIX + 2 * Wire.PT);
                break;
            }
            default: {
                ResponderHandshake r = responder(false);
                r.receiveInit(INIT);
                byte[] m = Mutations.of(data, FINISH);
                check(r, m, FINISH, false, () -> {
                    r.receiveFinish(m);
                    return null;
                }, Handshake.State.COMPLETE, Wire.PREFIX);
                break;
            }
        }
    }

    private static void check(Handshake h, byte[] m, byte[] valid, boolean otherTrusted, Handshake.Step<byte[]> receive,
            Handshake.State after, int signatureOffset) {
        try {
            receive.run();
        } catch (HandshakeException | AuthenticationFailedException | UntrustedIdentityException | KeyFileException e) {
            assertEquals(Handshake.State.FAILED, h.state(), "a refused message left the handshake " + h.state());
            if (Arrays.equals(m, valid) && !(otherTrusted && e instanceof UntrustedIdentityException)) {
                throw new AssertionError("the valid message was refused", e);
            }
            return;
        }
        assertEquals(after, h.state());
        assertEquals(valid.length, m.length, "a message of another length was accepted");
        assertArrayEquals(Arrays.copyOf(valid, signatureOffset), Arrays.copyOf(m, signatureOffset),
                "a message with changed signed fields was accepted");
        int afterSignature = signatureOffset + Wire.SIG;
        assertArrayEquals(Arrays.copyOfRange(valid, afterSignature, valid.length),
                Arrays.copyOfRange(m, afterSignature, m.length), "a message with a changed MAC was accepted");
        if (otherTrusted) {
            throw new AssertionError("a handshake with an untrusted identity was accepted");
        }
    }

    private static InitiatorHandshake initiator(boolean otherTrusted) {
        return Handshake.initiator(INITIATOR_ID, SID_I, SID_R, trust("responder", otherTrusted), SessionPolicy.DEFAULT,
                new FakeClock(), new DeterministicRandom("fuzz initiator"));
    }

    private static ResponderHandshake responder(boolean otherTrusted) {
        return Handshake.responder(RESPONDER_ID, SID_R, SID_I, trust("initiator", otherTrusted), SessionPolicy.DEFAULT,
                new FakeClock(), new DeterministicRandom("fuzz responder"));
    }

    private static PeerTrustStore trust(String peerRole, boolean otherTrusted) {
        InMemoryPeerTrustStore store = new InMemoryPeerTrustStore(peerRole);
        if (otherTrusted) {
            try {
                store.trust(OTHER_ID.publicKey());
            } catch (UntrustedIdentityException e) {
                throw new AssertionError(e);
            }
        }
        return store;
    }
}

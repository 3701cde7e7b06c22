package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.internal.KeySchedule;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The SIGMA-style three-message handshake as a pure state machine: bytes in, bytes out, no I/O
 * other than what the injected {@link PeerTrustStore} does. Create one with
 * {@link #initiator} or {@link #responder}:
 * <pre>
 *   initiator                         relay                          responder
 *   createInit()        -- INIT ----------------------------------&gt;  receiveInit()
 *   receiveResponse()   &lt;------------------------------- RESPONSE --
 *                       -- FINISH --------------------------------&gt;  receiveFinish()
 *   session()                                                        session()
 * </pre>
 * INIT already carries the initiator's identity key, signed over THI (version, both session IDs,
 * its ephemeral key and identity key, its own role label), so the responder checks it against its
 * trust store and refuses a changed key before answering, just as the initiator does with the
 * responder's key in RESPONSE. Each side then signs the transcript hash (version, both session IDs,
 * both ephemeral keys, the identity keys known at that point, and a role label) with its identity key
 * and proves knowledge of the ECDH secret with a MAC. Any failure moves to {@link State#FAILED} for good and wipes the key
 * material (a call in the wrong state is a programming error: {@link IllegalStateException}, no change);
 * a substituted, replayed or reflected message therefore fails the handshake, and the other side
 * fails too on the next message or at the deadline ({@link #checkTimeout()}).
 * Not thread-safe: drive one handshake from one thread (or synchronise externally).
 */
public abstract sealed class Handshake permits InitiatorHandshake, ResponderHandshake {

    /** Handshake states. */
    public enum State {
        /** Created; initiator: call createInit; responder: waiting for INIT. */
        READY,
        /** Initiator sent INIT, waiting for RESPONSE. */
        AWAITING_RESPONSE,
        /** Responder sent RESPONSE, waiting for FINISH. */
        AWAITING_FINISH,
        /** Done: {@link #session()} may be taken once. */
        COMPLETE,
        /** Failed for good; key material wiped. */
        FAILED
    }

    final IdentityKeyPair identity;
    final SessionId localId;
    final SessionId peerId;
    final PeerTrustStore trust;
    final SessionPolicy policy;
    final Clock clock;
    final SecureRandom random;
    final Instant deadline;
    State state = State.READY;
    SecretBytes prk;
    SecureSession session;
    boolean sessionTaken;
    TrustResult trustResult;

    Handshake(IdentityKeyPair identity, SessionId localId, SessionId peerId, PeerTrustStore trust,
            SessionPolicy policy, Clock clock, SecureRandom random) {
        this.identity = Objects.requireNonNull(identity);
        this.localId = Objects.requireNonNull(localId);
        this.peerId = Objects.requireNonNull(peerId);
        this.trust = Objects.requireNonNull(trust);
        this.policy = Objects.requireNonNull(policy);
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        if (localId.equals(peerId)) {
            throw new IllegalArgumentException("local and peer session IDs must differ");
        }
        this.deadline = clock.instant().plus(policy.handshakeTimeout());
    }

    /**
     * Starts the initiator side.
     * @param identity  our long-term identity
     * @param localId   our relay session ID
     * @param peerId    the peer's relay session ID
     * @param peerTrust trust store for the peer's role (trust on first use)
     * @param policy    rekeying and timeout settings
     * @param clock     time source (deadline, rekey timer)
     * @param random    randomness: the ephemeral key pair only (one 32-byte draw with BouncyCastle;
     *                  signatures are deterministic, RFC 6979)
     */
    public static InitiatorHandshake initiator(IdentityKeyPair identity, SessionId localId, SessionId peerId,
            PeerTrustStore peerTrust, SessionPolicy policy, Clock clock, SecureRandom random) {
        return new InitiatorHandshake(identity, localId, peerId, peerTrust, policy, clock, random);
    }

    /** Starts the responder side; parameters as for {@link #initiator}. */
    public static ResponderHandshake responder(IdentityKeyPair identity, SessionId localId, SessionId peerId,
            PeerTrustStore peerTrust, SessionPolicy policy, Clock clock, SecureRandom random) {
        return new ResponderHandshake(identity, localId, peerId, peerTrust, policy, clock, random);
    }

    /** @return the current state. */
    public State state() {
        return state;
    }

    /** @return which role this side plays. */
    public abstract Role role();

    /**
     * Fails the handshake if it is not complete by its deadline. Call it from a timer while waiting.
     * @throws HandshakeException if the deadline has passed (state becomes FAILED) or it already FAILED
     */
    public void checkTimeout() throws HandshakeException {
        if (state != State.COMPLETE && state != State.FAILED && clock.instant().isAfter(deadline)) {
            fail();
            throw new HandshakeException("handshake timed out after " + policy.handshakeTimeout().toSeconds() + " s");
        }
        if (state == State.FAILED) {
            throw new HandshakeException("handshake failed");
        }
    }

    /**
     * @return the established session (once)
     * @throws IllegalStateException unless COMPLETE, or if already taken
     */
    public SecureSession session() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("handshake not complete: " + state);
        }
        if (sessionTaken) {
            throw new IllegalStateException("session already taken");
        }
        sessionTaken = true;
        return session;
    }

    /**
     * @return whether the peer's identity was newly trusted (first use) and its fingerprint
     * @throws IllegalStateException unless COMPLETE
     */
    public TrustResult peerTrust() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("handshake not complete: " + state);
        }
        return trustResult;
    }

    /**
     * Gives this handshake up (a newer one replaces it, or the connection went away): moves to
     * FAILED and wipes the ephemeral key, so nothing of it can be recovered later. Idempotent.
     */
    public void abandon() {
        fail();
    }

    /** Moves to FAILED and wipes everything secret. Idempotent. */
    void fail() {
        state = State.FAILED;
        wipe();
        if (session != null && !sessionTaken) {
            session.close();
            session = null;
        }
    }

    void wipe() {
        if (prk != null) {
            prk.destroy();
            prk = null;
        }
        wipeSubclass();
    }

    abstract void wipeSubclass();

    void expect(State expected) {
        if (state != expected) {
            throw new IllegalStateException("handshake is " + state + ", expected " + expected);
        }
    }

    void checkDeadline() throws HandshakeException {
        if (clock.instant().isAfter(deadline)) {
            throw new HandshakeException("handshake timed out after " + policy.handshakeTimeout().toSeconds() + " s");
        }
    }

    static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    static AuthenticationFailedException notFrom(IdentityPublicKey claimed, String what) {
        return new AuthenticationFailedException("Signature verification failed: handshake " + what
                + " not from " + claimed.fingerprint());
    }

    /** Runs a step; on any failure moves to FAILED and rethrows. */
    interface Step<T> {
        T run() throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException, KeyFileException;
    }

    <T> T guarded(Step<T> step)
            throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException, KeyFileException {
        try {
            return step.run();
        } catch (HandshakeException | AuthenticationFailedException | UntrustedIdentityException
                | KeyFileException | RuntimeException | Error e) {
            fail();
            throw e;
        }
    }

    SecureSession buildSession(byte[] thf, IdentityPublicKey peerIdentity) {
        byte[] p = prk.toByteArray();
        try {
            SecretBytes kI2R = KeySchedule.trafficKey(p, KeySchedule.I2R, thf);
            byte[] ivI2R = KeySchedule.trafficIv(p, KeySchedule.I2R, thf);
            SecretBytes kR2I = KeySchedule.trafficKey(p, KeySchedule.R2I, thf);
            byte[] ivR2I = KeySchedule.trafficIv(p, KeySchedule.R2I, thf);
            boolean init = role() == Role.INITIATOR;
            return new SecureSession(role(), identity, peerIdentity, thf,
                    init ? kI2R : kR2I, init ? ivI2R : ivR2I,
                    init ? kR2I : kI2R, init ? ivR2I : ivI2R,
                    policy, clock);
        } finally {
            zero(p);
        }
    }
}

package io.securerelay.client.internal;

import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.Handshake;
import io.securerelay.protocol.HandshakeException;
import io.securerelay.protocol.InitiatorHandshake;
import io.securerelay.protocol.ResponderHandshake;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives the handshakes of one conversation: starts ours (INIT), answers the peer's (RESPONSE),
 * completes either (FINISH), settles crossing INITs (the lower session ID stays the initiator),
 * gives up a handshake left unanswered, and tells its {@link Listener} what came of each. Holds at
 * most one handshake per side; one given up has its ephemeral key wiped (forward secrecy).
 *
 * <p>Single-threaded (the conversation's loop). Time comes in as {@code now}, the loop's
 * monotonic nanoseconds; the handshakes themselves check their deadline on the injected
 * {@link Clock}.
 */
final class Handshakes {

    /** What the handshakes need done and tell. Called on the loop, during the call that caused it. */
    interface Listener {
        void send(SessionId to, byte[] payload, String what);

        /** A handshake is under way. */
        void handshaking();

        /** A handshake completed: {@code session} is ready ({@code responderSide}: we answered, and confirm at once). */
        void established(SecureSession session, SessionId from, TrustResult trusted, boolean responderSide)
                throws IOException;

        /** The peer presented another key than the pinned one; the session was refused. */
        void keyChanged(UntrustedIdentityException e);

        /** A handshake message was refused and dropped (see {@link Rejections}). */
        void rejected(Rejections.Kind kind, SessionId from, String dropped, int bytes, String sentence);

        /** Three handshake answers in a row did not verify. */
        void failing(String sentence);
    }

    private static final Logger LOG = Logger.getLogger(Handshakes.class.getName());
    /** A handshake without an answer for this long is given up (a lost frame, a peer away). */
    static final Duration RETRY = Duration.ofSeconds(4);

    private final String peerRole;
    private final IdentityKeyPair identity;
    private final PeerTrustStore trust;
    private final SessionPolicy policy;
    private final Clock clock;
    private final SecureRandom random;
    private final Listener listener;

    private InitiatorHandshake initiator;
    private SessionId initiatorPeer;
    private ResponderHandshake responder;
    private SessionId responderPeer;
    private long startedNanos;
    private int failed;

    Handshakes(String peerRole, IdentityKeyPair identity, PeerTrustStore trust, SessionPolicy policy, Clock clock,
            SecureRandom random, Listener listener) {
        this.peerRole = peerRole;
        this.identity = identity;
        this.trust = trust;
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.listener = listener;
    }

    /** Starts our handshake with {@code peer} (giving up a previous one of ours): sends INIT. */
    void start(SessionId self, SessionId peer, long now) {
        abandon(initiator);
        initiator = Handshake.initiator(identity, self, peer, trust, policy, clock, random);
        initiatorPeer = peer;
        startedNanos = now;
        listener.handshaking();
        listener.send(peer, initiator.createInit(), "INIT");
    }

    /**
     * Gives up a handshake unanswered for {@link #RETRY} (or the policy's timeout, if shorter).
     *
     * @return whether a handshake is still under way
     */
    boolean underWay(long now) {
        boolean underWay = initiator != null || responder != null;
        long retryAfter = Math.min(policy.handshakeTimeout().toNanos(), RETRY.toNanos());
        if (underWay && now - startedNanos > retryAfter) {
            abandonAll();
            LOG.log(Level.FINE, "handshake timed out");
            return false;
        }
        return underWay;
    }

    /** Gives up every handshake under way (the connection is gone). */
    void abandonAll() {
        abandon(initiator);
        abandon(responder);
        initiator = null;
        responder = null;
    }

    void onInit(SessionId self, SessionId from, byte[] init, long now) {
        if (initiator != null && initiator.state() == Handshake.State.AWAITING_RESPONSE
                && from.equals(initiatorPeer) && self.compareTo(from) < 0) {
            // Both called at once: the lower session ID stays the initiator. The crossing INIT is
            // still checked (its signature and the key it carries), so a changed key is refused
            // on this side too, with both fingerprints.
            // The throwaway responder made an ephemeral key for its RESPONSE: wipe it either way.
            ResponderHandshake check = Handshake.responder(identity, self, from, trust, policy, clock, random);
            try {
                check.receiveInit(init);
            } catch (UntrustedIdentityException e) {
                abandon(initiator);
                initiator = null;
                listener.keyChanged(e);
            } catch (AuthenticationFailedException | HandshakeException | KeyFileException e) {
                LOG.log(Level.FINE, "a crossing INIT did not verify: {0}", e.getMessage());
            } finally {
                abandon(check);
            }
            return;
        }
        ResponderHandshake r = Handshake.responder(identity, self, from, trust, policy, clock, random);
        try {
            byte[] response = r.receiveInit(init);
            abandon(responder);
            responder = r;
            responderPeer = from;
            if (from.equals(initiatorPeer)) {
                abandon(initiator);
                initiator = null;
            }
            startedNanos = now;
            listener.handshaking();
            listener.send(from, response, "RESPONSE");
        } catch (UntrustedIdentityException e) {
            // Call back with our own (signed) INIT: the peer checks the key it carries, so it
            // refuses too when its stored key for us is not ours, instead of waiting in vain.
            InitiatorHandshake counter = Handshake.initiator(identity, self, from, trust, policy, clock, random);
            listener.send(from, counter.createInit(), "INIT (after refusing)");
            counter.abandon();
            listener.keyChanged(e);
        } catch (AuthenticationFailedException e) {
            // Unauthenticated noise (a forged or garbled INIT): the relay could send it; say so, go on.
            listener.rejected(Rejections.Kind.SIGNATURE, from, "INIT", init.length,
                    "Signature verification failed: a handshake claiming to come from the "
                    + peerRole + " was not signed by the key it carries; ignored");
        } catch (HandshakeException | KeyFileException e) {
            LOG.log(Level.FINE, "ignored an INIT from {0}: {1}", new Object[] {from.shortForm(), e.getMessage()});
        }
    }

    void onResponse(SessionId from, byte[] response) throws IOException {
        if (initiator == null || !from.equals(initiatorPeer) || initiator.state() != Handshake.State.AWAITING_RESPONSE) {
            LOG.log(Level.FINE, "ignored an unexpected RESPONSE from {0}", from.shortForm());
            return;
        }
        InitiatorHandshake h = initiator;
        initiator = null;
        complete(h, from, false, () -> listener.send(from, h.receiveResponse(response), "FINISH"));
    }

    void onFinish(SessionId from, byte[] finish) throws IOException {
        if (responder == null || !from.equals(responderPeer) || responder.state() != Handshake.State.AWAITING_FINISH) {
            LOG.log(Level.FINE, "ignored an unexpected FINISH from {0}", from.shortForm());
            return;
        }
        ResponderHandshake h = responder;
        responder = null;
        complete(h, from, true, () -> h.receiveFinish(finish));
    }

    /** The last step of a handshake, which verifies the peer; any failure leaves the handshake FAILED. */
    @FunctionalInterface
    private interface FinalStep {
        void run() throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException,
                KeyFileException;
    }

    private void complete(Handshake h, SessionId from, boolean responderSide, FinalStep step) throws IOException {
        try {
            step.run();
        } catch (UntrustedIdentityException e) {
            listener.keyChanged(e);
            return;
        } catch (AuthenticationFailedException e) {
            refused("Signature verification failed: the handshake was not signed by the "
                    + peerRole + "'s key" + storedFingerprintHint() + "; the session was refused");
            return;
        } catch (HandshakeException | KeyFileException e) {
            refused("handshake with the " + peerRole + " failed: " + e.getMessage());
            return;
        }
        failed = 0;
        listener.established(h.session(), from, h.peerTrust(), responderSide);
    }

    /**
     * A handshake answer that did not verify. A stale answer to an earlier attempt (after a
     * reconnect) fails the same way as a forged one, so one failure is only logged; the listener
     * hears from the third in a row. The handshake is retried either way.
     */
    private void refused(String sentence) {
        failed++;
        if (failed >= 3) {
            listener.failing(sentence);
        } else {
            LOG.log(Level.FINE, "{0}", sentence);
        }
    }

    private String storedFingerprintHint() {
        try {
            return trust.stored().map(k -> " (" + k.fingerprint() + ")").orElse("");
        } catch (KeyFileException e) {
            return "";
        }
    }

    private static void abandon(Handshake h) {
        if (h != null) {
            h.abandon();
        }
    }
}
